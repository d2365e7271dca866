-- template: relationships
-- checks: every non-NULL {{column}} of {{table}} exists as {{to_column}} of {{to_table}}
-- offending rows: one per value with no match, with how many rows carry it
SELECT child.{{column}}, count(*) AS n_rows
FROM {{table}} AS child
WHERE child.{{column}} IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM {{to_table}} AS parent WHERE parent.{{to_column}} = child.{{column}}
  )
GROUP BY child.{{column}}
