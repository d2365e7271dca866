-- report query: the views this snapshot's catalog defines (optional sections look themselves up here)
-- grain: one row per view
SELECT view_name
FROM duckdb_views()
WHERE NOT internal
ORDER BY view_name;
