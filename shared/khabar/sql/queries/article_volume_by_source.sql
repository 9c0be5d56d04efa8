-- Daily article volume by source between :dt_from and :dt_to.
SELECT
  dt,
  coalesce(source, '(unknown)') AS source,
  count(*) AS articles,
  sum(n_chars) AS chars
FROM articles
WHERE dt BETWEEN :dt_from AND :dt_to
GROUP BY dt, coalesce(source, '(unknown)')
ORDER BY dt, articles DESC, source
