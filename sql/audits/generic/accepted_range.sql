-- template: accepted_range
-- checks: every non-NULL {{column}} of {{table}} lies within [$min, $max] (bound parameters; a NULL bound is open)
-- offending rows: the rows out of range, identified by {{row_key}}, with the value
SELECT {{row_key}}, {{column}}
FROM {{table}}
WHERE {{column}} < $min OR {{column}} > $max
