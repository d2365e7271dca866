-- audit: papers_year_matches_date
-- checks: papers.year is the year of papers.published_date
-- offending rows: one per paper whose year disagrees with its date
SELECT paper_id, published_date, year
FROM papers
WHERE year IS DISTINCT FROM year(published_date)
ORDER BY paper_id
