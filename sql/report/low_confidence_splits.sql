-- report query: title/author splits the parser was not sure of, for review (first 50, in a stable order)
-- grain: one row per listing record in the view low_confidence_splits (whatever columns it has)
-- note: run only when the catalog has that view; older snapshots do not
SELECT *
FROM low_confidence_splits
ORDER BY ALL
LIMIT 50;
