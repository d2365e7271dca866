-- audit: affiliations_counts_match
-- checks: affiliations.n_papers equals the organisation's distinct papers in paper_affiliations
-- offending rows: one per organisation whose count disagrees
WITH links AS (
    SELECT affiliation_id, count(DISTINCT paper_id) AS n_papers
    FROM paper_affiliations
    GROUP BY affiliation_id
)
SELECT a.affiliation_id, a.slug, a.n_papers, l.n_papers AS n_papers_in_paper_affiliations
FROM affiliations AS a
LEFT JOIN links AS l USING (affiliation_id)
WHERE a.n_papers IS DISTINCT FROM l.n_papers
ORDER BY a.affiliation_id
