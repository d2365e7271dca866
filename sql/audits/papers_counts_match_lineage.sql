-- audit: papers_counts_match_lineage
-- checks: papers.n_entries and papers.n_sources equal the paper's rows and distinct source files in listing_entries (so every paper has lineage)
-- offending rows: one per paper whose counts disagree with listing_entries
WITH lineage AS (
    SELECT paper_id, count(*) AS n_entries, count(DISTINCT source_file) AS n_sources
    FROM listing_entries
    GROUP BY paper_id
)
SELECT
    p.paper_id,
    p.n_entries,
    l.n_entries AS n_entries_in_lineage,
    p.n_sources,
    l.n_sources AS n_sources_in_lineage
FROM papers AS p
LEFT JOIN lineage AS l USING (paper_id)
WHERE p.n_entries IS DISTINCT FROM l.n_entries
   OR p.n_sources IS DISTINCT FROM l.n_sources
ORDER BY p.paper_id
