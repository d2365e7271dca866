-- report query: papers, authors and rejects added or removed between two snapshots
-- grain: one row per entity (papers, authors, rejects)
-- parameters: $previous_dir, $current_dir (snapshot directories, read on a locked-down connection)
-- note: papers and authors are compared by their stable ids; a reject by (source file, reason, content
--       hash), so a reject that only moved to another line of its file is not counted as a change.
--       n_before / n_after are row counts.
WITH
old_papers AS (SELECT DISTINCT paper_id AS id FROM read_parquet($previous_dir || '/papers.parquet')),
new_papers AS (SELECT DISTINCT paper_id AS id FROM read_parquet($current_dir || '/papers.parquet')),
old_authors AS (SELECT DISTINCT author_id AS id FROM read_parquet($previous_dir || '/authors.parquet')),
new_authors AS (SELECT DISTINCT author_id AS id FROM read_parquet($current_dir || '/authors.parquet')),
old_rejects AS (
    SELECT DISTINCT source_file, reason, content_hash FROM read_parquet($previous_dir || '/rejects.parquet')
),
new_rejects AS (
    SELECT DISTINCT source_file, reason, content_hash FROM read_parquet($current_dir || '/rejects.parquet')
)
SELECT 1 AS entity_order, 'papers' AS entity,
    (SELECT count(*) FROM read_parquet($previous_dir || '/papers.parquet')) AS n_before,
    (SELECT count(*) FROM read_parquet($current_dir || '/papers.parquet')) AS n_after,
    (SELECT count(*) FROM new_papers ANTI JOIN old_papers USING (id)) AS n_added,
    (SELECT count(*) FROM old_papers ANTI JOIN new_papers USING (id)) AS n_removed
UNION ALL
SELECT 2, 'authors',
    (SELECT count(*) FROM read_parquet($previous_dir || '/authors.parquet')),
    (SELECT count(*) FROM read_parquet($current_dir || '/authors.parquet')),
    (SELECT count(*) FROM new_authors ANTI JOIN old_authors USING (id)),
    (SELECT count(*) FROM old_authors ANTI JOIN new_authors USING (id))
UNION ALL
SELECT 3, 'rejects',
    (SELECT count(*) FROM read_parquet($previous_dir || '/rejects.parquet')),
    (SELECT count(*) FROM read_parquet($current_dir || '/rejects.parquet')),
    (SELECT count(*) FROM new_rejects ANTI JOIN old_rejects USING (source_file, reason, content_hash)),
    (SELECT count(*) FROM old_rejects ANTI JOIN new_rejects USING (source_file, reason, content_hash))
ORDER BY entity_order;
