-- report query: how written forms joined their author, by rule and evidence
-- grain: one row per (rule, evidence)
SELECT rule, coalesce(evidence, '') AS evidence, count(*) AS n_forms, CAST(sum(n_mentions) AS BIGINT) AS n_mentions
FROM author_links
GROUP BY ALL
ORDER BY n_forms DESC, rule, evidence;
