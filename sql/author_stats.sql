-- view: author_stats
-- grain: one row per author (person or group)
-- depends_on: paper_authors, papers, authors
-- columns: author_id, name, is_group, n_papers, first_year, last_year, n_coauthors, n_first_author, topics
-- note: listings show at most three authors, so n_papers and n_coauthors are lower bounds
CREATE OR REPLACE VIEW author_stats AS
WITH authorship_src AS (
    SELECT paper_id, author_id, position FROM paper_authors
),
paper_src AS (
    SELECT paper_id, year, category FROM papers
),
author_src AS (
    SELECT author_id, name, is_group FROM authors
),
per_author AS (
    SELECT
        pa.author_id,
        count(DISTINCT pa.paper_id) AS n_papers,
        min(p.year) AS first_year,
        max(p.year) AS last_year,
        count(DISTINCT pa.paper_id) FILTER (WHERE pa.position = 1) AS n_first_author,
        string_agg(DISTINCT p.category, ', ' ORDER BY p.category) AS topics
    FROM authorship_src AS pa
    JOIN paper_src AS p USING (paper_id)
    GROUP BY pa.author_id
),
coauthors AS (
    SELECT a.author_id, count(DISTINCT b.author_id) AS n_coauthors
    FROM authorship_src AS a
    JOIN authorship_src AS b ON a.paper_id = b.paper_id AND a.author_id <> b.author_id
    GROUP BY a.author_id
),
final AS (
    SELECT
        au.author_id,
        au.name,
        au.is_group,
        s.n_papers,
        s.first_year,
        s.last_year,
        coalesce(c.n_coauthors, 0) AS n_coauthors,
        s.n_first_author,
        s.topics
    FROM author_src AS au
    JOIN per_author AS s USING (author_id)
    LEFT JOIN coauthors AS c USING (author_id)
)
SELECT * FROM final;
