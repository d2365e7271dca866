-- view: affiliations
-- grain: one row per organisation (slug)
-- depends_on: none
-- source: affiliations.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW affiliations AS
SELECT * FROM read_parquet({{table_dir}} || '/affiliations.parquet');
