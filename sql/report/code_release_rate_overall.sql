-- report query: code release rate per year over all topics
-- grain: one row per year with at least one paper
SELECT
    year,
    CAST(sum(n_papers) AS BIGINT) AS n_papers,
    CAST(sum(n_with_code) AS BIGINT) AS n_with_code,
    sum(n_with_code) / sum(n_papers) AS code_release_rate
FROM code_release_rate
GROUP BY year
ORDER BY year;
