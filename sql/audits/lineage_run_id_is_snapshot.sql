-- audit: lineage_run_id_is_snapshot
-- checks: listing_entries.run_id and rejects.run_id are the run id of the snapshot the catalog reads (paperhouse_snapshot), so no table comes from another run
-- offending rows: one per (table, run_id) that is not the snapshot's, with how many rows carry it
WITH snapshot AS (
    SELECT run_id FROM paperhouse_snapshot
)
SELECT 'listing_entries' AS table_name, e.run_id, count(*) AS n_rows
FROM listing_entries AS e
WHERE e.run_id IS DISTINCT FROM (SELECT run_id FROM snapshot)
GROUP BY e.run_id
UNION ALL
SELECT 'rejects' AS table_name, r.run_id, count(*) AS n_rows
FROM rejects AS r
WHERE r.run_id IS DISTINCT FROM (SELECT run_id FROM snapshot)
GROUP BY r.run_id
ORDER BY table_name, run_id
