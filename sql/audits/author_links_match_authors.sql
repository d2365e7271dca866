-- audit: author_links_match_authors
-- checks: author_links.name is its author's authors.name, and every written form in paper_authors has its author_links row
-- offending rows: one per link with the wrong name or authorship form without a link, with the problem
SELECT 'name differs from authors.name' AS problem, l.author_id, l.name_as_listed, l.name
FROM author_links AS l
JOIN authors AS a USING (author_id)
WHERE l.name IS DISTINCT FROM a.name
UNION ALL
SELECT DISTINCT 'written form has no author_links row' AS problem, pa.author_id, pa.name_as_listed, NULL AS name
FROM paper_authors AS pa
WHERE NOT EXISTS (
    SELECT 1 FROM author_links AS l
    WHERE l.author_id = pa.author_id AND l.name_as_listed = pa.name_as_listed
)
ORDER BY problem, author_id, name_as_listed
