-- report query: snapshot
-- grain: one row: the snapshot the catalog was built for
SELECT run_id, table_dir, built_at FROM paperhouse_snapshot;
