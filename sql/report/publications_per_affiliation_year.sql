-- report query: publications per organisation per year, for the organisations with the most papers
-- grain: one row per (organisation, year) with at least one paper, for the 15 organisations with the most
--        papers (ties by slug); every row also carries the totals the chart's note needs
WITH per_year AS (
    SELECT affiliation_id, slug, coalesce(affiliation_name, slug) AS affiliation_name, year, n_papers
    FROM publications_per_affiliation_year
    WHERE year IS NOT NULL
),
totals AS (
    SELECT affiliation_id, slug, sum(n_papers) AS n_total
    FROM per_year
    GROUP BY affiliation_id, slug
),
top AS (
    SELECT affiliation_id, n_total, row_number() OVER (ORDER BY n_total DESC, slug) AS rank
    FROM totals
    QUALIFY rank <= 15
)
SELECT
    p.affiliation_id,
    p.slug,
    p.affiliation_name,
    p.year,
    p.n_papers,
    CAST(t.n_total AS BIGINT) AS n_total,
    (SELECT count(*) FROM totals) AS n_affiliations,
    (SELECT count(DISTINCT paper_id) FROM paper_affiliations) AS n_papers_with_affiliation
FROM per_year AS p
JOIN top AS t USING (affiliation_id)
ORDER BY t.rank, p.year;
