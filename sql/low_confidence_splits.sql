-- view: low_confidence_splits
-- grain: one row per parsed input record whose title/author split is uncertain (split_confidence < 0.75)
-- depends_on: listing_entries, papers, paper_authors
-- columns: entry_id, source_file, source_line, paper_id, split_rule, split_confidence, paper_title,
--          paper_authors (the paper's listed authors, in order), category, paper_year
-- note: paper_year, not year, so an export does not partition this review list; the threshold is
--       transforms.split.LOW_CONFIDENCE (a test checks they agree); fix a bad split with a row in
--       overrides/splits.csv (title_line, title, authors, note); order with
--       ORDER BY split_confidence, source_file, source_line (least sure first)
CREATE OR REPLACE VIEW low_confidence_splits AS
SELECT
    e.entry_id,
    e.source_file,
    e.source_line,
    e.paper_id,
    e.split_rule,
    e.split_confidence,
    p.title AS paper_title,
    (SELECT string_agg(pa.name_as_listed, ', ' ORDER BY pa.position)
       FROM paper_authors AS pa WHERE pa.paper_id = e.paper_id) AS paper_authors,
    p.category,
    p.year AS paper_year
FROM listing_entries AS e
LEFT JOIN papers AS p USING (paper_id)
WHERE e.split_confidence < 0.75;
