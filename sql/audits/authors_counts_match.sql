-- audit: authors_counts_match
-- checks: authors.n_variants equals the author's rows in author_links, and authors.n_papers is at least the author's distinct papers in paper_authors (which keeps only each paper's representative listing)
-- offending rows: one per author whose counts disagree
WITH forms AS (
    SELECT author_id, count(*) AS n_links
    FROM author_links
    GROUP BY author_id
),
authorships AS (
    SELECT author_id, count(DISTINCT paper_id) AS n_papers
    FROM paper_authors
    GROUP BY author_id
)
SELECT
    a.author_id,
    a.name,
    a.n_variants,
    f.n_links AS n_rows_in_author_links,
    a.n_papers,
    s.n_papers AS n_papers_in_paper_authors
FROM authors AS a
LEFT JOIN forms AS f USING (author_id)
LEFT JOIN authorships AS s USING (author_id)
WHERE a.n_variants IS DISTINCT FROM f.n_links
   OR a.n_papers < coalesce(s.n_papers, 0)
ORDER BY a.author_id
