-- report query: publications per topic per year (stacked bars)
-- grain: one row per (arXiv category, year) with at least one paper
SELECT category, coalesce(topic_name, category) AS topic_name, year, n_papers, n_with_code
FROM publications_per_topic_year
ORDER BY category, year;
