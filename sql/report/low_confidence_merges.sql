-- report query: written forms merged into an author with low confidence (review candidates)
-- grain: one row per (author, written form) flagged is_low_confidence
SELECT name_as_listed, name, rule, evidence, confidence, n_mentions
FROM author_links
WHERE is_low_confidence
ORDER BY confidence, name, name_as_listed;
