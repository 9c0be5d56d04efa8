-- A country's indicator over time, as reported: every figure whose subject is :subject_id (for
-- example 'country:TN') and whose metric is :metric (for example 'inflation'), by the period it
-- refers to, with the days it was reported on, the values and how many articles and sources said so.
SELECT
  f.period,
  min(f.period_start) AS period_start,
  f.unit,
  array_agg(DISTINCT f.value) AS values_reported,
  count(DISTINCT f.article_id) AS articles,
  count(DISTINCT a.source) AS sources,
  min(f.dt) AS first_reported,
  max(f.dt) AS last_reported
FROM figures f
JOIN articles a ON a.article_id = f.article_id AND a.dt = f.dt
WHERE f.subject_id = :subject_id
  AND f.metric = :metric
  AND f.period IS NOT NULL
GROUP BY f.period, f.unit
ORDER BY period_start, f.period, f.unit
