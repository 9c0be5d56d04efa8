-- cooccurrence_daily: pairs of canonical ids that appear in the same article on :dt
-- (canonical_id_a < canonical_id_b), with the number of articles they share.
WITH ents AS (
  SELECT DISTINCT article_id, canonical_id
  FROM entities
  WHERE dt = :dt AND canonical_id IS NOT NULL
)
SELECT
  a.canonical_id AS canonical_id_a,
  b.canonical_id AS canonical_id_b,
  CAST(count(*) AS BIGINT) AS articles
FROM ents a
JOIN ents b ON b.article_id = a.article_id AND a.canonical_id < b.canonical_id
GROUP BY a.canonical_id, b.canonical_id
ORDER BY articles DESC, canonical_id_a, canonical_id_b
