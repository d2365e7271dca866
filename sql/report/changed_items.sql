-- report query: examples of what was added or removed between two snapshots (the first few of each kind)
-- grain: one row per (entity, change, item), at most $per_kind rows per (entity, change)
-- parameters: $previous_dir, $current_dir (snapshot directories), $per_kind (rows per entity and change)
-- note: identities as in changes_since_previous.sql; item is a paper's title, an author's name or a
--       reject's reason, detail says where it is from
WITH
old_papers AS (SELECT paper_id, title, year, category FROM read_parquet($previous_dir || '/papers.parquet')),
new_papers AS (SELECT paper_id, title, year, category FROM read_parquet($current_dir || '/papers.parquet')),
old_authors AS (SELECT author_id, name, n_papers FROM read_parquet($previous_dir || '/authors.parquet')),
new_authors AS (SELECT author_id, name, n_papers FROM read_parquet($current_dir || '/authors.parquet')),
old_rejects AS (
    SELECT source_file, source_line, reason, content_hash FROM read_parquet($previous_dir || '/rejects.parquet')
),
new_rejects AS (
    SELECT source_file, source_line, reason, content_hash FROM read_parquet($current_dir || '/rejects.parquet')
),
changes AS (
    SELECT 1 AS entity_order, 'papers' AS entity, 'added' AS change, title AS item,
           concat_ws(' · ', CAST(year AS VARCHAR), category) AS detail
    FROM new_papers ANTI JOIN old_papers USING (paper_id)
    UNION ALL
    SELECT 1, 'papers', 'removed', title, concat_ws(' · ', CAST(year AS VARCHAR), category)
    FROM old_papers ANTI JOIN new_papers USING (paper_id)
    UNION ALL
    SELECT 2, 'authors', 'added', name, CAST(n_papers AS VARCHAR) || ' paper(s)'
    FROM new_authors ANTI JOIN old_authors USING (author_id)
    UNION ALL
    SELECT 2, 'authors', 'removed', name, CAST(n_papers AS VARCHAR) || ' paper(s)'
    FROM old_authors ANTI JOIN new_authors USING (author_id)
    UNION ALL
    SELECT 3, 'rejects', 'added', reason, source_file || ':' || CAST(source_line AS VARCHAR)
    FROM new_rejects ANTI JOIN old_rejects USING (source_file, reason, content_hash)
    UNION ALL
    SELECT 3, 'rejects', 'removed', reason, source_file || ':' || CAST(source_line AS VARCHAR)
    FROM old_rejects ANTI JOIN new_rejects USING (source_file, reason, content_hash)
)
SELECT entity, change, item, detail
FROM changes
QUALIFY row_number() OVER (PARTITION BY entity, change ORDER BY item, detail) <= $per_kind
ORDER BY entity_order, change, item, detail;
