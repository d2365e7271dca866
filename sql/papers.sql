-- view: papers
-- grain: one row per distinct paper
-- depends_on: none
-- source: papers.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW papers AS
SELECT * FROM read_parquet({{table_dir}} || '/papers.parquet');
