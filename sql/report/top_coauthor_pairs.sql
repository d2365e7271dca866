-- report query: the 15 author pairs with the most shared papers
-- grain: one row per unordered author pair
SELECT name_a, name_b, n_papers, first_year, last_year
FROM coauthorship
ORDER BY n_papers DESC, last_year DESC, name_a, name_b
LIMIT 15;
