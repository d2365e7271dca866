-- view: authors
-- grain: one row per resolved person or group author
-- depends_on: none
-- source: authors.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW authors AS
SELECT * FROM read_parquet({{table_dir}} || '/authors.parquet');
