-- view: author_links
-- grain: one row per (author, written form of the name): the rule, evidence and confidence that put the form there
-- depends_on: none
-- source: author_links.parquet of the snapshot this catalog was built for
-- columns: see README "Tables"
CREATE OR REPLACE VIEW author_links AS
SELECT * FROM read_parquet({{table_dir}} || '/author_links.parquet');
