-- report query: topic trends (share of each year's papers per topic)
-- grain: one row per (arXiv category, year) with at least one paper
SELECT category, coalesce(topic_name, category) AS topic_name, year, n_papers, n_papers_year, share_of_year
FROM topic_trends
ORDER BY category, year;
