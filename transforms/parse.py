"""Parse record groups into typed listing entries, quarantining what does not parse.

Vectorised end to end: every step is a Polars expression or a Series operation
over all records of a chunk at once (regex extraction with the grammars in
grammar.py), never a Python loop per record.  The result is split in two
frames that together account for every input group: ``entries`` (parsed) and
``rejects`` (with a reason).

Entries carry the keys later steps group by (``title_key``), so that the
per-source parse -- cached by the source's bytes -- does the per-row text work
once, and the global steps only join and group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import polars as pl

from transforms.categories import code_lookup
from transforms.grammar import header_pattern
from transforms.authors.keys import node_names_of_lists
from transforms.ids import md5_hex, md5_record_lines, stable_id
from transforms.records import GROUP_SCHEMA, LINE_SCHEMA, assemble, lines_from_text, record_text, strip_bom
from transforms.split import split_title_columns, tail_of
from transforms.text import _where, clean_series, title_key_series

MONTH_NUMBER = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}
#: Days in each month of a common year (February gains a day in leap years).
_MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

#: The earliest year a listed paper may carry (arXiv opened in 1991; a margin for
#: older papers listed by date of first circulation).  Later than the capture
#: year + 1 is impossible too: both are typos or junk, not papers.
MIN_YEAR = 1990
#: How far past the capture year a listed year may be (a preprint dated January 1st
#: seen on December 31st in another time zone).
MAX_YEARS_AFTER_CAPTURE = 1

#: Seed of ``title_hash`` (any constant: it only has to be the same for every entry of a run).
TITLE_HASH_SEED = 20_261_201

#: Reject reasons, stable strings that analysts can group by.
REASON_OUTSIDE = "text outside a record (no date line above it)"
REASON_NO_TITLE = "record has no title/authors line"
REASON_NO_ABSTRACT = "record has no abstract line"
REASON_BAD_DATE = "invalid date"
REASON_DATE_RANGE = "date outside 1990 to the capture year + 1"
REASON_NO_SPLIT = "cannot split title from authors"

#: Columns of a parsed entry, in order (the parse cache stores exactly these).
ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "source_line": pl.Int64,
    "content_hash": pl.String,
    "category_code": pl.String,
    "category": pl.String,
    "category_ambiguous": pl.Boolean,
    "published_date": pl.Date,
    "year": pl.Int32,
    "date_precision": pl.String,
    "has_code": pl.Boolean,
    "title": pl.String,
    "title_key": pl.String,
    "title_hash": pl.UInt64,
    "paper_key": pl.String,
    "abstract": pl.String,
    "authors": pl.List(pl.String),
    "author_nodes": pl.List(pl.String),
    "authors_truncated": pl.Boolean,
    "orgs": pl.List(pl.String),
    "split_rule": pl.String,
    "split_confidence": pl.Float64,
    "has_invalid_bytes": pl.Boolean,
}
REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_line": pl.Int64,
    "reason": pl.String,
    "raw": pl.String,
    "content_hash": pl.String,
}


@dataclass(frozen=True)
class Parsed:
    """The two halves of a parse: nothing is in both, nothing is in neither."""

    entries: pl.LazyFrame
    rejects: pl.LazyFrame


@dataclass(frozen=True)
class ParsedChunk:
    """Entries (ENTRY_SCHEMA) and rejects (REJECT_SCHEMA) of one chunk of one source."""

    entries: pl.DataFrame
    rejects: pl.DataFrame


def parse_groups(groups: pl.DataFrame, captured_on: pl.Series) -> ParsedChunk:
    """Parse assembled record groups (:func:`transforms.records.assemble`).

    ``captured_on`` (Date) gives, per ``piece``, when its page was captured: it
    decides the year of yearless dates and the latest plausible year.  Entries
    and rejects keep the ``piece`` column so a caller can split them by source.
    """
    staged = (
        groups.lazy()
        .with_columns(captured_on=pl.col("piece").replace_strict(
            pl.int_range(captured_on.len(), eager=True, dtype=pl.Int32), captured_on, return_dtype=pl.Date))
        .with_columns(h=pl.col("header").str.extract_groups(header_pattern()))
        .with_columns(
            category_code=pl.col("h").struct.field("code"),
            month=pl.col("h").struct.field("month").replace_strict(MONTH_NUMBER, default=None, return_dtype=pl.Int32),
            day=pl.col("h").struct.field("day").cast(pl.Int32),
            year_listed=pl.col("h").struct.field("year").cast(pl.Int32),
            has_code=pl.col("h").struct.field("badge").is_not_null(),
        )
        .drop("h")
        .with_columns(_published_date())
        .collect()
    )
    staged = _split_title_line(staged)
    staged = staged.with_columns(
        reason=pl.when(pl.col("header").is_null())
        .then(pl.lit(REASON_OUTSIDE))
        .when(pl.col("title_line").is_null())
        .then(pl.lit(REASON_NO_TITLE))
        .when(pl.col("abstract").is_null())
        .then(pl.lit(REASON_NO_ABSTRACT))
        .when(pl.col("published_date").is_null())
        .then(pl.lit(REASON_BAD_DATE))
        .when(
            (pl.col("published_date").dt.year() < MIN_YEAR)
            | (pl.col("published_date").dt.year() > pl.col("captured_on").dt.year() + MAX_YEARS_AFTER_CAPTURE)
        )
        .then(pl.lit(REASON_DATE_RANGE))
        .when(pl.col("split_at").is_null())
        .then(pl.lit(REASON_NO_SPLIT))
    )
    rejected = staged.filter(pl.col("reason").is_not_null()).with_columns(raw=record_text())
    rejects = rejected.select("piece", "source_line", "reason", "raw").with_columns(
        content_hash=md5_hex(rejected["raw"]) if rejected.height else pl.lit(None, dtype=pl.String)
    )
    good = staged.filter(pl.col("reason").is_null())
    title = clean_series(good.select(pl.col("title_line").str.slice(0, pl.col("split_at") + 1)).to_series())
    tail = _tail(good.select(pl.col("title_line").str.slice(pl.col("split_at") + 1)).to_series())
    lookup = code_lookup()
    codes = lookup["category_code"].to_list()
    authors = _split_authors(tail["authors_text"])
    keys = title_key_series(title)
    entries = good.select(
        "piece",
        "source_line",
        pl.lit(md5_record_lines(good)).alias("content_hash"),
        "category_code",
        pl.col("category_code")
        .replace_strict(codes, lookup["category"].to_list(), default=None, return_dtype=pl.String)
        .alias("category"),
        pl.col("category_code")
        .replace_strict(codes, lookup["category_ambiguous"].to_list(), default=False, return_dtype=pl.Boolean)
        .alias("category_ambiguous"),
        "published_date",
        pl.col("published_date").dt.year().cast(pl.Int32).alias("year"),
        "date_precision",
        "has_code",
        pl.lit(title).alias("title"),
        pl.lit(keys).alias("title_key"),
        # grouping aid for the dedupe (never published; the cache is keyed by the
        # Polars version, which decides this hash)
        pl.lit(keys).hash(seed=TITLE_HASH_SEED).alias("title_hash"),
        # the paper id this entry founds if it is its paper's earliest listing
        stable_id(pl.lit(keys), pl.col("published_date")).alias("paper_key"),
        pl.lit(clean_series(good["abstract"])).alias("abstract"),
        pl.lit(authors).alias("authors"),
        pl.lit(node_names_of_lists(authors)).alias("author_nodes"),
        pl.lit(tail["et_al"].is_not_null()).alias("authors_truncated"),
        pl.lit(_organisations(tail["orgs_text"])).alias("orgs"),
        "split_rule",
        "split_confidence",
        (pl.col("invalid") | pl.col("title_line").str.contains("\ufffd", literal=True)
         | pl.col("abstract").str.contains("\ufffd", literal=True)
         | pl.col("header").str.contains("\ufffd", literal=True)).alias("has_invalid_bytes"),
    )
    return ParsedChunk(entries=entries, rejects=rejects)


def _published_date() -> list[pl.Expr]:
    """``published_date`` and ``date_precision`` from month, day, the listed year
    and the ``captured_on`` column.

    A yearless date is the capture year's, unless that day does not exist (Feb 29)
    or lies after the capture day: then it can only be last year's.  Dates are
    validated with integer arithmetic before being built, so an impossible date
    (Feb 30) becomes null instead of an error, without formatting strings.
    """
    listed = pl.col("year_listed")
    captured = pl.col("captured_on")
    this_year = _valid_date(captured.dt.year().cast(pl.Int32))
    last_year = _valid_date(captured.dt.year().cast(pl.Int32) - 1)
    return [
        pl.when(listed.is_not_null())
        .then(_valid_date(listed))
        .when(this_year.is_not_null() & (this_year <= captured))
        .then(this_year)
        .otherwise(last_year)
        .alias("published_date"),
        pl.when(listed.is_null()).then(pl.lit("day_inferred_year")).otherwise(pl.lit("day")).alias("date_precision"),
    ]


def _valid_date(year: pl.Expr) -> pl.Expr:
    """The date ``year``-month-day, or null when no such day exists."""
    month, day = pl.col("month"), pl.col("day")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = month.replace_strict(dict(enumerate(_MONTH_DAYS, start=1)), default=None, return_dtype=pl.Int32) + (
        (month == 2) & leap
    ).cast(pl.Int32)
    ok = year.is_between(1, 9999) & (day >= 1) & (day <= days)
    safe = pl.when(ok)
    return safe.then(pl.date(safe.then(year).otherwise(2000), safe.then(month).otherwise(1), safe.then(day).otherwise(1)))


def _split_title_line(staged: pl.DataFrame) -> pl.DataFrame:
    """Add ``split_at`` (offset of the title's last character), ``split_rule`` and
    ``split_confidence``: see transforms/split.py.  Rows keep their order."""
    return staged.hstack(split_title_columns(staged["title_line"]))


def _tail(rest: pl.Series) -> pl.DataFrame:
    """What follows the title, taken apart: ``authors_text``, ``et_al``, ``orgs_text``
    (see :func:`transforms.split.tail_of`)."""
    return tail_of(rest)


#: ``, Jr.``-style suffixes whose comma does not separate two authors.
_SUFFIX_COMMA = r", (Jr\.?|Sr\.?|II|III|IV)(,|$)"


def _split_authors(authors: pl.Series) -> pl.Series:
    """The author list as a list of clean names.

    The list is cleaned as one string (NFC and blanks only where needed) and then
    split on ", " -- except the comma of a suffix (``Stanley, Jr.``).  After a
    grammar split names are separated by a comma and blanks and hold no comma, so
    this equals splitting first and cleaning every name, at a fraction of the cost.
    """
    cleaned = clean_series(authors.fill_null(""))
    protected = _where_contains(cleaned, ", ", lambda s: s.str.replace_all(_SUFFIX_COMMA, "\x1f$1$2"))
    names = protected.str.split(", ")
    if protected.str.contains("\x1f", literal=True).any():
        names = names.list.eval(pl.element().str.replace_all("\x1f", ", ", literal=True))
    return names.list.eval(pl.element().filter(pl.element() != ""))


def _where_contains(series: pl.Series, needle: str, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``fn`` applied only to the strings that contain ``needle`` (a cheap literal test)."""
    return _where(series, series.str.contains(needle, literal=True), fn)


def _organisations(orgs: pl.Series) -> pl.Series:
    """Organisation slugs: comma-separated, cleaned, lower-cased."""
    slugs = clean_series(orgs.fill_null("")).str.split(",")
    return slugs.list.eval(pl.element().str.strip_chars().str.to_lowercase()).list.eval(
        pl.element().filter(pl.element() != "")
    )


def parse_texts(texts: list[str], captured_on: list[date], invalid_lines: list[list[int]] | None = None) -> ParsedChunk:
    """Parse whole decoded listing texts, one piece each (tests and small inputs;
    the ingest parses bytes in pieces instead: flows/parsing.py)."""
    frames = [
        strip_bom(lines_from_text(text, (invalid_lines or [[]] * len(texts))[i], piece=i))
        for i, text in enumerate(texts)
    ]
    lines = pl.concat(frames) if frames else pl.DataFrame(schema=LINE_SCHEMA)
    return parse_groups(assemble(lines), pl.Series(captured_on, dtype=pl.Date))


def parse_sources(sources: pl.LazyFrame) -> Parsed:
    """Parse whole listing texts: ``sources`` has ``source_file``, ``text``, ``captured_on``
    and optionally ``invalid_lines`` (1-based numbers of lines that were not UTF-8)."""
    frame = sources.collect()
    if "invalid_lines" not in frame.columns:
        frame = frame.with_columns(invalid_lines=pl.lit([], dtype=pl.List(pl.Int64)))
    chunk = parse_texts(
        frame["text"].to_list(), frame["captured_on"].to_list(),
        [lines or [] for lines in frame["invalid_lines"].to_list()],
    )
    files = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("piece"), "source_file", "captured_on"
    )
    return Parsed(
        entries=chunk.entries.join(files, on="piece", how="left", maintain_order="left")
        .select("source_file", "captured_on", *ENTRY_SCHEMA).lazy(),
        rejects=chunk.rejects.join(files.drop("captured_on"), on="piece", how="left", maintain_order="left")
        .select("source_file", *REJECT_SCHEMA).lazy(),
    )


def empty_chunk() -> ParsedChunk:
    """A parse of nothing, with the right schemas."""
    return ParsedChunk(
        entries=pl.DataFrame(schema={"piece": pl.Int32, **ENTRY_SCHEMA}),
        rejects=pl.DataFrame(schema={"piece": pl.Int32, **REJECT_SCHEMA}),
    )


__all__ = [
    "ENTRY_SCHEMA", "GROUP_SCHEMA", "Parsed", "ParsedChunk", "REJECT_SCHEMA", "empty_chunk",
    "parse_groups", "parse_sources", "parse_texts",
]
