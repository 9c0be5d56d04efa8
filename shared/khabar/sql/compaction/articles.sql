-- Compaction of the articles of :dt (khabar.lake.compaction; run as an UNLOAD on Athena, on DuckDB
-- locally). The rows of the run's planned input files (compaction_control: 'live' upload parts and
-- 'compacted' files of earlier runs), less the rows that the old compacted files hold for uploads
-- processed again since ('stale' upload stems), in sort order. `bucket` numbers the :files output
-- files (~128 MB each) over the sorted rows, so each file holds one range of the sort keys.
-- An upload's stem is sha256(bucket || 0x00 || key), first 24 hex digits (khabar.lake.layout).
WITH control AS (
  SELECT kind, ref FROM compaction_control WHERE dt = :dt AND run = :run
)
SELECT
  a.article_id,
  a.source_bucket,
  a.source_key,
  a.source_etag,
  a.record_locator,
  a.title,
  a.source,
  a.published,
  a.url,
  a.body,
  a.language,
  a.n_chars,
  a.extractor_version,
  a.ingested_at,
  lpad(CAST(ntile(:files) OVER (ORDER BY a.source ASC NULLS LAST, a.article_id ASC NULLS LAST) AS varchar), 5, '0')
    AS bucket
FROM articles AS a
WHERE a.dt = :dt
  AND a."$path" IN (SELECT ref FROM control WHERE kind IN ('live', 'compacted'))
  AND NOT coalesce(
    a."$path" IN (SELECT ref FROM control WHERE kind = 'compacted')
    AND substr(lower(to_hex(sha256(to_utf8(a.source_bucket) || X'00' || to_utf8(a.source_key)))), 1, 24)
      IN (SELECT ref FROM control WHERE kind = 'stale'),
    false
  )
ORDER BY a.source ASC NULLS LAST, a.article_id ASC NULLS LAST
