-- view: publications_per_topic_year
-- grain: one row per (arXiv category, year) with at least one paper
-- depends_on: papers, topics
-- columns: category, topic_code, topic_name, archive, year, n_papers, n_with_code
CREATE OR REPLACE VIEW publications_per_topic_year AS
WITH paper_src AS (
    SELECT paper_id, category, year, has_code FROM papers
),
topic_src AS (
    SELECT category, code, name, archive FROM topics
),
final AS (
    SELECT
        p.category,
        t.code AS topic_code,
        t.name AS topic_name,
        t.archive,
        p.year,
        count(*) AS n_papers,
        count(*) FILTER (WHERE p.has_code) AS n_with_code
    FROM paper_src AS p
    LEFT JOIN topic_src AS t USING (category)
    GROUP BY ALL
)
SELECT * FROM final;
