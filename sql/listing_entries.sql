-- view: listing_entries
-- grain: one row per parsed input record (lineage: file, line, content hash)
-- depends_on: none
-- source: listing_entries.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW listing_entries AS
SELECT * FROM read_parquet({{table_dir}} || '/listing_entries.parquet');
