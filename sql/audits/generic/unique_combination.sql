-- template: unique_combination
-- checks: no two rows of {{table}} share the combination ({{columns}}): the table's grain
-- offending rows: one per repeated combination, with how many rows carry it
SELECT {{columns}}, count(*) AS n_rows
FROM {{table}}
GROUP BY {{columns}}
HAVING count(*) > 1
