-- Articles between :dt_from and :dt_to that mention both :entity_a and :entity_b.
SELECT a.dt, a.article_id, a.title, a.source
FROM articles a
WHERE a.dt BETWEEN :dt_from AND :dt_to
  AND a.article_id IN (
    SELECT article_id
    FROM entities
    WHERE dt BETWEEN :dt_from AND :dt_to AND canonical_id IN (:entity_a, :entity_b)
    GROUP BY article_id
    HAVING count(DISTINCT canonical_id) = 2
  )
ORDER BY a.dt, a.article_id
