-- template: not_null
-- checks: {{column}} of {{table}} is never NULL
-- offending rows: the rows whose {{column}} is NULL, identified by {{row_key}}
SELECT {{row_key}}
FROM {{table}}
WHERE {{column}} IS NULL
