-- figure_daily: one row per (metric, kind, unit) of the figures extracted on :dt.
-- value_median is exact (the middle value, or the mean of the two middle values): Athena has
-- only approx_percentile, which would not match DuckDB row for row.
-- top_entities: the 5 canonical ids most often in the same sentence as these figures.
WITH f AS (
  SELECT article_id, metric, kind, unit, value, related_ids
  FROM figures
  WHERE dt = :dt
),
ranked AS (
  SELECT
    f.*,
    row_number() OVER (PARTITION BY metric, kind, unit ORDER BY value) AS rn,
    count(value) OVER (PARTITION BY metric, kind, unit) AS n
  FROM f
),
agg AS (
  SELECT
    metric, kind, unit,
    CAST(count(*) AS BIGINT) AS figures,
    CAST(count(DISTINCT article_id) AS BIGINT) AS articles,
    CAST(sum(value) AS DOUBLE) AS value_sum,
    CAST(min(value) AS DOUBLE) AS value_min,
    CAST(max(value) AS DOUBLE) AS value_max,
    -- rows whose rank is the middle one (odd n) or one of the middle two (even n)
    CAST(avg(CASE WHEN 2 * rn BETWEEN n AND n + 2 THEN value END) AS DOUBLE) AS value_median
  FROM ranked
  GROUP BY metric, kind, unit
),
rel AS (
  SELECT f.metric, f.kind, f.unit, r.cid, count(*) AS n
  FROM f
  CROSS JOIN UNNEST(f.related_ids) AS r(cid)
  GROUP BY f.metric, f.kind, f.unit, r.cid
),
top AS (
  SELECT metric, kind, unit, array_agg(cid ORDER BY n DESC, cid) AS top_entities
  FROM (
    SELECT rel.*, row_number() OVER (PARTITION BY metric, kind, unit ORDER BY n DESC, cid) AS rk
    FROM rel
  ) ranked_rel
  WHERE rk <= 5
  GROUP BY metric, kind, unit
)
SELECT
  agg.metric, agg.kind, agg.unit, agg.figures, agg.articles,
  agg.value_sum, agg.value_min, agg.value_max, agg.value_median,
  coalesce(top.top_entities, CAST(ARRAY[] AS ARRAY(VARCHAR))) AS top_entities
FROM agg
LEFT JOIN top
  ON top.metric IS NOT DISTINCT FROM agg.metric
  AND top.kind IS NOT DISTINCT FROM agg.kind
  AND top.unit IS NOT DISTINCT FROM agg.unit
ORDER BY agg.metric NULLS LAST, agg.kind, agg.unit NULLS LAST
