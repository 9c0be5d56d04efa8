-- figure_facts: each fact as reported, keyed by who (subject_id), what (metric), when (period) and
-- unit: the values reported, how many articles and sources reported it, its first and last report.
-- Only figures with a subject and a period are facts; the rest stay in `figures`.
CREATE OR REPLACE VIEW figure_facts AS
SELECT
  f.subject_id,
  f.metric,
  f.period,
  f.unit,
  min(f.period_start) AS period_start,
  max(f.period_end) AS period_end,
  array_agg(DISTINCT f.value) AS values_reported,
  CAST(count(*) AS BIGINT) AS reports,
  CAST(count(DISTINCT f.article_id) AS BIGINT) AS articles,
  CAST(count(DISTINCT a.source) AS BIGINT) AS sources,
  min(f.dt) AS first_reported,
  max(f.dt) AS last_reported
FROM figures f
JOIN articles a ON a.article_id = f.article_id AND a.dt = f.dt
WHERE f.subject_id IS NOT NULL AND f.period IS NOT NULL AND f.metric IS NOT NULL
GROUP BY f.subject_id, f.metric, f.period, f.unit
