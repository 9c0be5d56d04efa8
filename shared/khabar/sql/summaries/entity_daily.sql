-- entity_daily: one row per canonical entity mentioned on :dt.
-- display_name and entity_type are the day's most frequent surface form and type (ties: the
-- smallest), so a re-run gives the same row. sources counts distinct article sources.
WITH m AS (
  SELECT e.article_id, e.canonical_id, e.entity_type, e.entity_text, e.country_code, a.source
  FROM (SELECT * FROM entities WHERE dt = :dt AND canonical_id IS NOT NULL) e
  LEFT JOIN (SELECT article_id, source FROM articles WHERE dt = :dt) a ON a.article_id = e.article_id
),
names AS (
  SELECT canonical_id, entity_text,
         row_number() OVER (PARTITION BY canonical_id ORDER BY count(*) DESC, entity_text) AS rn
  FROM m
  GROUP BY canonical_id, entity_text
),
types AS (
  SELECT canonical_id, entity_type,
         row_number() OVER (PARTITION BY canonical_id ORDER BY count(*) DESC, entity_type) AS rn
  FROM m
  GROUP BY canonical_id, entity_type
)
SELECT
  m.canonical_id,
  t.entity_type,
  n.entity_text AS display_name,
  max(m.country_code) AS country_code,
  CAST(count(*) AS BIGINT) AS mentions,
  CAST(count(DISTINCT m.article_id) AS BIGINT) AS articles,
  CAST(count(DISTINCT m.source) AS BIGINT) AS sources
FROM m
JOIN names n ON n.canonical_id = m.canonical_id AND n.rn = 1
JOIN types t ON t.canonical_id = m.canonical_id AND t.rn = 1
GROUP BY m.canonical_id, t.entity_type, n.entity_text
ORDER BY mentions DESC, m.canonical_id
