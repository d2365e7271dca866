"""The published schema: the one definition of every table's columns and types.

Writers cast to it (so a transform that drifts fails the run instead of
silently changing a BI tool's types) and tests check the files against it.
Types are what BI tools read well: strings, booleans, 32/64-bit integers and
DATE; nothing nested (name variants are a delimited string).
"""

from __future__ import annotations

import pyarrow as pa

S, B, I32, I64, D, F = pa.string(), pa.bool_(), pa.int32(), pa.int64(), pa.date32(), pa.float64()

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "papers": pa.schema([
        ("paper_id", S), ("title", S), ("title_key", S), ("abstract", S),
        ("published_date", D), ("year", I32), ("date_precision", S),
        ("category", S), ("category_code", S), ("category_ambiguous", B),
        ("has_code", B), ("n_listed_authors", I32), ("authors_truncated", B),
        ("n_sources", I32), ("n_entries", I32),
    ]),
    "authors": pa.schema([
        ("author_id", S), ("name", S), ("is_group", B), ("name_variants", S),
        ("n_variants", I32), ("n_papers", I32), ("is_ambiguous", B),
    ]),
    "author_links": pa.schema([
        ("author_id", S), ("name_as_listed", S), ("name", S), ("rule", S), ("evidence", S),
        ("confidence", F), ("is_low_confidence", B), ("n_mentions", I32),
    ]),
    "paper_authors": pa.schema([
        ("paper_id", S), ("author_id", S), ("position", I32), ("name_as_listed", S),
    ]),
    "affiliations": pa.schema([
        ("affiliation_id", S), ("slug", S), ("name", S), ("ror_id", S), ("is_known", B),
        ("n_papers", I32),
    ]),
    "paper_affiliations": pa.schema([("paper_id", S), ("affiliation_id", S)]),
    "topics": pa.schema([
        ("category", S), ("code", S), ("name", S), ("archive", S),
        ("code_is_ambiguous", B), ("is_code_default", B),
    ]),
    "listing_entries": pa.schema([
        ("entry_id", S), ("source_file", S), ("source_line", I64), ("paper_id", S),
        ("content_hash", S), ("run_id", S), ("captured_on", D), ("split_rule", S),
        ("split_confidence", F), ("has_invalid_bytes", B),
    ]),
    "rejects": pa.schema([
        ("source_file", S), ("source_line", I64), ("reason", S), ("raw", S),
        ("content_hash", S), ("run_id", S),
    ]),
}
