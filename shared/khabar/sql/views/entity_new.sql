-- entity_new: entities mentioned on a day and on no earlier day in the lake.
CREATE OR REPLACE VIEW entity_new AS
SELECT d.dt, d.canonical_id, d.entity_type, d.display_name, d.country_code, d.mentions, d.articles
FROM entity_daily d
WHERE NOT EXISTS (
  SELECT 1 FROM entity_daily p WHERE p.canonical_id = d.canonical_id AND p.dt < d.dt
)
