-- audit: input_lines_counted_once
-- checks: no input line belongs to two records: in each file, a parsed entry accounts for its 3 non-blank lines and a reject for the lines of its raw text, and the file's next record (entry or reject) starts after them
-- offending rows: one per record whose lines run into the next record of the same file
-- note: blank lines are skipped by the parser, so a record may span more physical lines, never fewer
WITH records AS (
    SELECT source_file, source_line, 3 AS n_lines, 'listing_entries' AS found_in
    FROM listing_entries
    UNION ALL
    SELECT source_file, source_line, len(string_split(raw, chr(10))) AS n_lines, 'rejects' AS found_in
    FROM rejects
),
ordered AS (
    SELECT
        *,
        lead(source_line) OVER (PARTITION BY source_file ORDER BY source_line, found_in) AS next_record_line
    FROM records
)
SELECT source_file, source_line, found_in, n_lines, next_record_line
FROM ordered
WHERE next_record_line < source_line + n_lines
ORDER BY source_file, source_line
