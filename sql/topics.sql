-- view: topics
-- grain: one row per arXiv category (the full taxonomy, not only those seen)
-- depends_on: none
-- source: topics.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW topics AS
SELECT * FROM read_parquet({{table_dir}} || '/topics.parquet');
