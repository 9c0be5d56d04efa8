-- Compaction of the figures of :dt (khabar.lake.compaction; see compaction/articles.sql and
-- compaction/entities.sql for how a row's upload is found).
WITH control AS (
  SELECT kind, ref FROM compaction_control WHERE dt = :dt AND run = :run
),
stale_articles AS (
  SELECT a.article_id
  FROM articles AS a
  WHERE a.dt = :dt
    AND substr(lower(to_hex(sha256(to_utf8(a.source_bucket) || X'00' || to_utf8(a.source_key)))), 1, 24)
      IN (SELECT ref FROM control WHERE kind = 'stale')
)
SELECT
  f.article_id,
  f.figure_text,
  f.kind,
  f.value,
  f.unit,
  f.metric,
  f.direction,
  f.start,
  f."end",
  f.sentence_index,
  f.related_ids,
  f.range_role,
  f.subject_id,
  f.subject_text,
  f.period,
  f.period_start,
  f.period_end,
  f.period_text,
  lpad(
    CAST(
      ntile(:files) OVER (
        ORDER BY f.metric ASC NULLS LAST, f.unit ASC NULLS LAST, f.article_id ASC NULLS LAST, f.start ASC NULLS LAST
      ) AS varchar
    ),
    5,
    '0'
  ) AS bucket
FROM figures AS f
WHERE f.dt = :dt
  AND f."$path" IN (SELECT ref FROM control WHERE kind IN ('live', 'compacted'))
  AND NOT coalesce(
    f."$path" IN (SELECT ref FROM control WHERE kind = 'compacted')
    AND f.article_id IN (SELECT article_id FROM stale_articles),
    false
  )
ORDER BY f.metric ASC NULLS LAST, f.unit ASC NULLS LAST, f.article_id ASC NULLS LAST, f.start ASC NULLS LAST
