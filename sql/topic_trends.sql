-- view: topic_trends
-- grain: one row per (arXiv category, year) with at least one paper
-- columns: category, topic_name, year, n_papers, n_papers_year, share_of_year (0..1)
CREATE OR REPLACE VIEW topic_trends AS
WITH per_topic_year AS (
    SELECT category, topic_name, year, n_papers FROM publications_per_topic_year
),
final AS (
    SELECT
        category,
        topic_name,
        year,
        n_papers,
        sum(n_papers) OVER (PARTITION BY year) AS n_papers_year,
        round(n_papers / sum(n_papers) OVER (PARTITION BY year), 4) AS share_of_year
    FROM per_topic_year
)
SELECT * FROM final
ORDER BY year, category;
