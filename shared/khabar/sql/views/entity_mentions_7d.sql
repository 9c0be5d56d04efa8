-- entity_mentions_7d: for each day an entity is mentioned, its mentions over the 7 days ending
-- that day (calendar days, so days without mentions count as 0) and the daily average.
CREATE OR REPLACE VIEW entity_mentions_7d AS
SELECT
  d.dt,
  d.canonical_id,
  d.entity_type,
  d.display_name,
  d.mentions,
  CAST(sum(w.mentions) AS BIGINT) AS mentions_7d,
  CAST(sum(w.mentions) AS DOUBLE) / 7 AS avg_daily_7d
FROM entity_daily d
JOIN entity_daily w
  ON w.canonical_id = d.canonical_id
  AND date(w.dt) BETWEEN date_add('day', -6, date(d.dt)) AND date(d.dt)
GROUP BY d.dt, d.canonical_id, d.entity_type, d.display_name, d.mentions
