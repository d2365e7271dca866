-- report query: the 15 authors with the most papers (lower bounds: listings show at most three authors)
-- grain: one row per author
SELECT name, is_group, n_papers, first_year, last_year, n_coauthors, n_first_author, topics
FROM author_stats
ORDER BY n_papers DESC, n_coauthors DESC, name
LIMIT 15;
