-- report query: how many records the view low_confidence_splits lists
-- grain: one row
-- note: run only when the catalog has that view; older snapshots do not
SELECT count(*) AS n_rows
FROM low_confidence_splits;
