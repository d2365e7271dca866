-- view: paper_affiliations
-- grain: one row per paper x organisation
-- depends_on: none
-- source: paper_affiliations.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW paper_affiliations AS
SELECT * FROM read_parquet({{table_dir}} || '/paper_affiliations.parquet');
