-- template: accepted_values
-- checks: every non-NULL {{column}} of {{table}} is one of the values in $accepted (a bound list)
-- offending rows: one per value outside the list, with how many rows carry it
SELECT {{column}}, count(*) AS n_rows
FROM {{table}}
WHERE {{column}} IS NOT NULL
  AND NOT list_contains($accepted, {{column}})
GROUP BY {{column}}
