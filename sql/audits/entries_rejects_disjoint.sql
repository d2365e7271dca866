-- audit: entries_rejects_disjoint
-- checks: no input record is both parsed and rejected: no (source_file, source_line) is in listing_entries and in rejects
-- offending rows: one per (source_file, source_line) found in both tables
SELECT e.source_file, e.source_line, e.entry_id, r.reason
FROM listing_entries AS e
JOIN rejects AS r USING (source_file, source_line)
ORDER BY e.source_file, e.source_line
