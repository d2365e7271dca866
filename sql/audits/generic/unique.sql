-- template: unique
-- checks: no two rows of {{table}} share a {{column}} (NULLs are not compared)
-- offending rows: one per repeated value, with how many rows carry it
SELECT {{column}}, count(*) AS n_rows
FROM {{table}}
WHERE {{column}} IS NOT NULL
GROUP BY {{column}}
HAVING count(*) > 1
