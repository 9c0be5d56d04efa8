-- entity_day_over_day: mentions of each entity on a day against the day before (0 if absent).
-- pct_change is NULL when the entity was not mentioned the day before.
CREATE OR REPLACE VIEW entity_day_over_day AS
SELECT
  d.dt,
  d.canonical_id,
  d.entity_type,
  d.display_name,
  d.mentions,
  coalesce(p.mentions, 0) AS prev_mentions,
  d.mentions - coalesce(p.mentions, 0) AS change,
  CASE
    WHEN p.mentions IS NULL OR p.mentions = 0 THEN NULL
    ELSE CAST(d.mentions - p.mentions AS DOUBLE) / p.mentions
  END AS pct_change
FROM entity_daily d
LEFT JOIN entity_daily p
  ON p.canonical_id = d.canonical_id
  AND date(p.dt) = date_add('day', -1, date(d.dt))
