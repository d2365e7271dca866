-- report query: code release rate per topic and year
-- grain: one row per (arXiv category, year) with at least one paper
SELECT category, coalesce(topic_name, category) AS topic_name, year, n_papers, n_with_code, code_release_rate
FROM code_release_rate
ORDER BY category, year;
