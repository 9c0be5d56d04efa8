-- report/rejects_by_reason: the day's rejected records by reason, most frequent first
-- (khabar.nightly.report; the day's rejects per source are in source_daily).
SELECT reason, CAST(count(*) AS BIGINT) AS n
FROM rejects
WHERE dt = :dt
GROUP BY reason
ORDER BY n DESC, reason NULLS LAST
