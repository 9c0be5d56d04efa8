-- Top entities of the 7 days ending :dt (a week of entity_daily partitions).
SELECT
  canonical_id,
  max_by(display_name, dt) AS display_name,
  max_by(entity_type, dt) AS entity_type,
  sum(mentions) AS mentions,
  sum(articles) AS articles,
  count(*) AS days
FROM entity_daily
WHERE dt BETWEEN date_format(date_add('day', -6, date(:dt)), '%Y-%m-%d') AND :dt
GROUP BY canonical_id
ORDER BY mentions DESC, canonical_id
LIMIT 20
