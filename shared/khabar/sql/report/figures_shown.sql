-- report/figures_shown: the figures the nightly report lists (khabar.nightly.report), never the
-- whole day's, so what the report reads does not grow with the day's volume. A figure of :dt is kept
-- when it is among the 20 largest values of its (metric, kind, unit) (is_top), or when it has a
-- subject and is among the 20 largest of its (subject_id, metric, kind, unit) (is_fact); each kept
-- figure is one row, with its article's title, source and url. The day's counts are in
-- figure_daily. 20 is khabar.nightly.report.TOP_FIGURES: keep them equal.
WITH f AS (
  SELECT
    article_id, figure_text, kind, value, unit, metric, direction, start, related_ids,
    subject_id, subject_text, period,
    row_number() OVER (
      PARTITION BY metric, kind, unit
      ORDER BY value DESC NULLS LAST, article_id, start, figure_text
    ) AS top_rank,
    row_number() OVER (
      PARTITION BY subject_id, metric, kind, unit
      ORDER BY value DESC NULLS LAST, article_id, start, figure_text
    ) AS fact_rank
  FROM figures
  WHERE dt = :dt
),
kept AS (
  SELECT
    f.*,
    top_rank <= 20 AS is_top,
    subject_id IS NOT NULL AND fact_rank <= 20 AS is_fact
  FROM f
  WHERE top_rank <= 20 OR (subject_id IS NOT NULL AND fact_rank <= 20)
),
a AS (
  SELECT article_id, title, source, url
  FROM articles
  WHERE dt = :dt
)
SELECT
  k.article_id,
  a.title,
  a.source,
  a.url,
  k.metric,
  k.kind,
  k.value,
  k.unit,
  k.direction,
  k.figure_text,
  k.related_ids,
  k.subject_id,
  k.subject_text,
  k.period,
  k.start,
  k.is_top,
  k.is_fact
FROM kept k
LEFT JOIN a ON a.article_id = k.article_id
ORDER BY
  k.metric NULLS LAST, k.kind NULLS LAST, k.unit NULLS LAST, k.value DESC NULLS LAST,
  k.article_id, k.start, k.figure_text
