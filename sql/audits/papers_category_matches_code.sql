-- audit: papers_category_matches_code
-- checks: a paper's category is one the listing's code can mean: topics.code of papers.category equals papers.category_code
-- offending rows: one per paper whose category does not carry its listed code
SELECT p.paper_id, p.category, p.category_code, t.code AS code_of_category
FROM papers AS p
JOIN topics AS t USING (category)
WHERE t.code IS DISTINCT FROM p.category_code
ORDER BY p.paper_id
