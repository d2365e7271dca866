-- view: coauthorship
-- grain: one row per unordered author pair that shares at least one paper (author_id_a < author_id_b)
-- depends_on: paper_authors, papers, authors
-- columns: author_id_a, name_a, author_id_b, name_b, n_papers, first_year, last_year
-- note: only the (at most three) listed authors are known, so pairs are a lower bound
CREATE OR REPLACE VIEW coauthorship AS
WITH authorship_src AS (
    SELECT DISTINCT paper_id, author_id FROM paper_authors
),
paper_src AS (
    SELECT paper_id, year FROM papers
),
author_src AS (
    SELECT author_id, name FROM authors
),
pairs AS (
    SELECT a.author_id AS author_id_a, b.author_id AS author_id_b, a.paper_id
    FROM authorship_src AS a
    JOIN authorship_src AS b ON a.paper_id = b.paper_id AND a.author_id < b.author_id
),
final AS (
    SELECT
        pr.author_id_a,
        na.name AS name_a,
        pr.author_id_b,
        nb.name AS name_b,
        count(DISTINCT pr.paper_id) AS n_papers,
        min(p.year) AS first_year,
        max(p.year) AS last_year
    FROM pairs AS pr
    JOIN paper_src AS p USING (paper_id)
    JOIN author_src AS na ON na.author_id = pr.author_id_a
    JOIN author_src AS nb ON nb.author_id = pr.author_id_b
    GROUP BY ALL
)
SELECT * FROM final;
