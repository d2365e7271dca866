-- report query: quarantined input records by reason
-- grain: one row per reject reason
SELECT reason, count(*) AS n_rejects, count(DISTINCT source_file) AS n_files
FROM rejects
GROUP BY reason
ORDER BY n_rejects DESC, reason;
