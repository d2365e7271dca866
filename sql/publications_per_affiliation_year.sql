-- view: publications_per_affiliation_year
-- grain: one row per (organisation, year) with at least one paper listing it
-- depends_on: paper_affiliations, papers, affiliations
-- columns: affiliation_id, slug, affiliation_name, year, n_papers
-- note: organisations come from the listing's optional slug list; papers without one are not counted
CREATE OR REPLACE VIEW publications_per_affiliation_year AS
WITH link_src AS (
    SELECT paper_id, affiliation_id FROM paper_affiliations
),
paper_src AS (
    SELECT paper_id, year FROM papers
),
affiliation_src AS (
    SELECT affiliation_id, slug, name FROM affiliations
),
final AS (
    SELECT
        a.affiliation_id,
        a.slug,
        a.name AS affiliation_name,
        p.year,
        count(DISTINCT l.paper_id) AS n_papers
    FROM link_src AS l
    JOIN paper_src AS p USING (paper_id)
    JOIN affiliation_src AS a USING (affiliation_id)
    GROUP BY ALL
)
SELECT * FROM final;
