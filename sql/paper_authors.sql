-- view: paper_authors
-- grain: one row per authorship (paper x listed author position)
-- depends_on: none
-- source: paper_authors.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW paper_authors AS
SELECT * FROM read_parquet({{table_dir}} || '/paper_authors.parquet');
