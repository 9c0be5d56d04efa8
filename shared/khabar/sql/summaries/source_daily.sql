-- source_daily: the health view, one row per article source on :dt.
-- A reject carries no source (it never became an article): it is counted under the source of its
-- upload when every article of that upload has the same source, else under '(unknown)'.
-- Articles without a source are counted under '(unknown)' too.
WITH a AS (
  SELECT article_id, source_bucket, source_key, coalesce(source, '(unknown)') AS source
  FROM articles
  WHERE dt = :dt
),
e AS (
  SELECT article_id, count(*) AS n FROM entities WHERE dt = :dt GROUP BY article_id
),
f AS (
  SELECT article_id, count(*) AS n FROM figures WHERE dt = :dt GROUP BY article_id
),
upload_source AS (
  SELECT source_bucket, source_key, min(source) AS source
  FROM a
  GROUP BY source_bucket, source_key
  HAVING count(DISTINCT source) = 1
),
r AS (
  SELECT coalesce(u.source, '(unknown)') AS source, count(*) AS n
  FROM (SELECT source_bucket, source_key FROM rejects WHERE dt = :dt) x
  LEFT JOIN upload_source u ON u.source_bucket = x.source_bucket AND u.source_key = x.source_key
  GROUP BY coalesce(u.source, '(unknown)')
),
p AS (
  SELECT a.source, count(*) AS articles, sum(coalesce(e.n, 0)) AS entities, sum(coalesce(f.n, 0)) AS figures
  FROM a
  LEFT JOIN e ON e.article_id = a.article_id
  LEFT JOIN f ON f.article_id = a.article_id
  GROUP BY a.source
)
SELECT
  coalesce(p.source, r.source) AS source,
  CAST(coalesce(p.articles, 0) AS BIGINT) AS articles,
  CAST(coalesce(r.n, 0) AS BIGINT) AS rejects,
  CAST(coalesce(p.entities, 0) AS BIGINT) AS entities,
  CAST(coalesce(p.figures, 0) AS BIGINT) AS figures
FROM p
FULL OUTER JOIN r ON r.source = p.source
ORDER BY articles DESC, source
