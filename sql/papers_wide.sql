-- view: papers_wide
-- grain: one row per distinct paper, denormalised for BI tools that cannot join
-- depends_on: papers, paper_authors, authors, paper_affiliations, affiliations, topics
-- columns: paper_id, title, published_date, year, category, topic_name, has_code, authors (listed order, '; '-separated),
--          authors_truncated, n_listed_authors, affiliations ('; '-separated names), n_sources, abstract
CREATE OR REPLACE VIEW papers_wide AS
WITH paper_src AS (
    SELECT * FROM papers
),
author_names AS (
    SELECT pa.paper_id, string_agg(a.name, '; ' ORDER BY pa.position) AS authors
    FROM paper_authors AS pa
    JOIN authors AS a USING (author_id)
    GROUP BY pa.paper_id
),
affiliation_names AS (
    SELECT pf.paper_id, string_agg(af.name, '; ' ORDER BY af.name) AS affiliations
    FROM paper_affiliations AS pf
    JOIN affiliations AS af USING (affiliation_id)
    GROUP BY pf.paper_id
),
final AS (
    SELECT
        p.paper_id,
        p.title,
        p.published_date,
        p.year,
        p.category,
        t.name AS topic_name,
        p.has_code,
        an.authors,
        p.authors_truncated,
        p.n_listed_authors,
        af.affiliations,
        p.n_sources,
        p.abstract
    FROM paper_src AS p
    LEFT JOIN topics AS t USING (category)
    LEFT JOIN author_names AS an USING (paper_id)
    LEFT JOIN affiliation_names AS af USING (paper_id)
)
SELECT * FROM final;
