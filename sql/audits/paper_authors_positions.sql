-- audit: paper_authors_positions
-- checks: every paper has authorships numbered 1..n without gaps, and no more of them than papers.n_listed_authors
-- offending rows: one per paper with no authorship, a gap, or too many authors
WITH positions AS (
    SELECT paper_id, count(*) AS n_authorships, min(position) AS first_position, max(position) AS last_position
    FROM paper_authors
    GROUP BY paper_id
)
SELECT p.paper_id, p.n_listed_authors, s.n_authorships, s.first_position, s.last_position
FROM papers AS p
LEFT JOIN positions AS s USING (paper_id)
WHERE s.n_authorships IS NULL
   OR s.first_position <> 1
   OR s.last_position <> s.n_authorships
   OR s.n_authorships > p.n_listed_authors
ORDER BY p.paper_id
