-- Trade figures (trade, exports, imports) between :dt_from and :dt_to by the country of the
-- entities in the same sentence. A figure counts once per country even when several places of
-- that country (e.g. a country and its capital) are related to it.
WITH f AS (
  SELECT dt, article_id, start, metric, unit, value, related_ids
  FROM figures
  WHERE dt BETWEEN :dt_from AND :dt_to AND metric IN ('trade', 'exports', 'imports')
),
place AS (
  SELECT DISTINCT canonical_id, country_code
  FROM entities
  WHERE dt BETWEEN :dt_from AND :dt_to AND country_code IS NOT NULL
),
pairs AS (
  SELECT DISTINCT f.dt, f.article_id, f.start, f.metric, f.unit, f.value, place.country_code
  FROM f
  CROSS JOIN UNNEST(f.related_ids) AS r(cid)
  JOIN place ON place.canonical_id = r.cid
)
SELECT
  country_code,
  metric,
  unit,
  count(*) AS figures,
  count(DISTINCT article_id) AS articles,
  sum(value) AS value_sum,
  max(value) AS value_max
FROM pairs
GROUP BY country_code, metric, unit
ORDER BY country_code, metric, unit
