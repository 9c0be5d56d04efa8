-- entity_mentions_7d: for each day an entity is mentioned, its mentions over the 7 days ending
-- that day (calendar days, so days without mentions count as 0) and the daily average.
-- This is the project's one definition of the 7-day window: 7 calendar days ending on, and
-- including, the day. prev_* is the same window ending the day before (the 7 days before the
-- day): the baseline the nightly report compares a day with, so a day is never in its own baseline.
CREATE OR REPLACE VIEW entity_mentions_7d AS
SELECT
  dt,
  canonical_id,
  entity_type,
  display_name,
  mentions,
  mentions_7d,
  CAST(mentions_7d AS DOUBLE) / 7 AS avg_daily_7d,
  prev_mentions_7d,
  CAST(prev_mentions_7d AS DOUBLE) / 7 AS prev_avg_daily_7d
FROM (
  SELECT
    d.dt,
    d.canonical_id,
    d.entity_type,
    d.display_name,
    d.mentions,
    CAST(sum(CASE WHEN date(w.dt) >= date_add('day', -6, date(d.dt)) THEN w.mentions ELSE 0 END) AS BIGINT)
      AS mentions_7d,
    CAST(sum(CASE WHEN date(w.dt) < date(d.dt) THEN w.mentions ELSE 0 END) AS BIGINT) AS prev_mentions_7d
  FROM entity_daily d
  JOIN entity_daily w
    ON w.canonical_id = d.canonical_id
    AND date(w.dt) BETWEEN date_add('day', -7, date(d.dt)) AND date(d.dt)
  GROUP BY d.dt, d.canonical_id, d.entity_type, d.display_name, d.mentions
) windows
