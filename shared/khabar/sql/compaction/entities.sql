-- Compaction of the entities of :dt (khabar.lake.compaction; see compaction/articles.sql). An
-- entity row belongs to the upload of its article: the articles of :dt (compacted last, so still
-- as they were) map article_id to the upload's stem.
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
  e.article_id,
  e.entity_text,
  e.entity_type,
  e.canonical_id,
  e.country_code,
  e.start,
  e."end",
  e.sentence_index,
  lpad(
    CAST(
      ntile(:files) OVER (
        ORDER BY e.canonical_id ASC NULLS LAST, e.article_id ASC NULLS LAST, e.start ASC NULLS LAST
      ) AS varchar
    ),
    5,
    '0'
  ) AS bucket
FROM entities AS e
WHERE e.dt = :dt
  AND e."$path" IN (SELECT ref FROM control WHERE kind IN ('live', 'compacted'))
  AND NOT coalesce(
    e."$path" IN (SELECT ref FROM control WHERE kind = 'compacted')
    AND e.article_id IN (SELECT article_id FROM stale_articles),
    false
  )
ORDER BY e.canonical_id ASC NULLS LAST, e.article_id ASC NULLS LAST, e.start ASC NULLS LAST
