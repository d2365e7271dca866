-- view: rejects
-- grain: one row per quarantined input record (file, line, reason, raw text)
-- depends_on: none
-- source: rejects.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW rejects AS
SELECT * FROM read_parquet({{table_dir}} || '/rejects.parquet');
