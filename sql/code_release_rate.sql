-- view: code_release_rate
-- grain: one row per (arXiv category, year) with at least one paper
-- depends_on: publications_per_topic_year
-- columns: category, topic_name, year, n_papers, n_with_code, code_release_rate (0..1)
-- note: has_code is the listing's Code badge, ORed over every listing of the paper
CREATE OR REPLACE VIEW code_release_rate AS
WITH per_topic_year AS (
    SELECT category, topic_name, year, n_papers, n_with_code FROM publications_per_topic_year
),
final AS (
    SELECT
        category,
        topic_name,
        year,
        n_papers,
        n_with_code,
        round(n_with_code / n_papers, 4) AS code_release_rate
    FROM per_topic_year
)
SELECT * FROM final;
