-- Figures between :dt_from and :dt_to that are related to the entity :entity_id
-- (the entity appears in the figure's sentence), with their article.
SELECT
  f.dt,
  f.article_id,
  a.title,
  a.source,
  f.figure_text,
  f.kind,
  f.value,
  f.unit,
  f.metric,
  f.direction
FROM figures f
JOIN articles a ON a.article_id = f.article_id AND a.dt = f.dt
WHERE f.dt BETWEEN :dt_from AND :dt_to
  AND a.dt BETWEEN :dt_from AND :dt_to
  AND contains(f.related_ids, :entity_id)
ORDER BY f.dt, f.article_id, f.start
