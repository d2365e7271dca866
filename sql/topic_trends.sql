-- view: topic_trends
-- grain: one row per (arXiv category, year) with at least one paper
-- depends_on: publications_per_topic_year
-- columns: category, topic_name, year, n_papers, n_papers_year, share_of_year (0..1)
-- note: share_of_year is not rounded, so a year's shares sum to 1 (round when displaying)
CREATE OR REPLACE VIEW topic_trends AS
WITH per_topic_year AS (
    SELECT category, topic_name, year, n_papers FROM publications_per_topic_year
),
with_year_total AS (
    SELECT
        category,
        topic_name,
        year,
        n_papers,
        CAST(sum(n_papers) OVER (PARTITION BY year) AS BIGINT) AS n_papers_year
    FROM per_topic_year
),
final AS (
    SELECT
        category,
        topic_name,
        year,
        n_papers,
        n_papers_year,
        n_papers / n_papers_year AS share_of_year
    FROM with_year_total
)
SELECT * FROM final;
