"""Parse record groups into typed listing entries, quarantining what does not parse.

Vectorised end to end: every step is a Polars expression over all records at
once (regex extraction with the grammars in grammar.py), never a Python loop
per record.  The result is split in two frames that together account for every
input group: ``entries`` (parsed) and ``rejects`` (with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.categories import code_lookup
from transforms.grammar import header_pattern
from transforms.records import assemble_records, split_lines
from transforms.split import split_title_lines
from transforms.ids import content_hash
from transforms.text import clean_long_text, clean_text

MONTH_NUMBER = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)}

#: Reject reasons, stable strings that analysts can group by.
REASON_OUTSIDE = "text outside a record (no date line above it)"
REASON_NO_TITLE = "record has no title/authors line"
REASON_NO_ABSTRACT = "record has no abstract line"
REASON_BAD_DATE = "invalid date"
REASON_NO_SPLIT = "cannot split title from authors"


@dataclass(frozen=True)
class Parsed:
    """The two halves of a parse: nothing is in both, nothing is in neither."""

    entries: pl.LazyFrame
    rejects: pl.LazyFrame


def parse_records(records: pl.LazyFrame, captured: pl.LazyFrame) -> Parsed:
    """Parse assembled record groups.

    ``records`` comes from :func:`transforms.records.assemble_records`;
    ``captured`` maps ``source_file`` to ``captured_on`` (a Date: when the page
    was captured, which gives yearless dates their year).
    """
    header = pl.col("header").str.extract_groups(header_pattern())

    staged = (
        records.join(captured, on="source_file", how="left")
        .pipe(_split_title_line)
        .with_columns(h=header)
        .with_columns(
            category_code=pl.col("h").struct.field("code"),
            month=pl.col("h").struct.field("month").replace_strict(MONTH_NUMBER, default=None, return_dtype=pl.Int32),
            day=pl.col("h").struct.field("day").cast(pl.Int32),
            year_listed=pl.col("h").struct.field("year").cast(pl.Int32),
            has_code=pl.col("h").struct.field("badge").is_not_null(),
        )
        .with_columns(
            # A yearless date is this year's, unless that day does not exist (Feb 29) or
            # lies after the capture day: then it can only be last year's.
            this_year=_date(pl.col("captured_on").dt.year()),
            last_year=_date(pl.col("captured_on").dt.year() - 1),
        )
        .with_columns(
            published_date=pl.when(pl.col("year_listed").is_not_null())
            .then(_date(pl.col("year_listed")))
            .when(pl.col("this_year").is_not_null() & (pl.col("this_year") <= pl.col("captured_on")))
            .then(pl.col("this_year"))
            .otherwise(pl.col("last_year")),
            date_precision=pl.when(pl.col("year_listed").is_null())
            .then(pl.lit("day_inferred_year"))
            .otherwise(pl.lit("day")),
        )
        .with_columns(
            reason=pl.when(pl.col("header").is_null())
            .then(pl.lit(REASON_OUTSIDE))
            .when(pl.col("title_line").is_null())
            .then(pl.lit(REASON_NO_TITLE))
            .when(pl.col("abstract").is_null())
            .then(pl.lit(REASON_NO_ABSTRACT))
            .when(pl.col("published_date").is_null())
            .then(pl.lit(REASON_BAD_DATE))
            .when(pl.col("split_at").is_null())
            .then(pl.lit(REASON_NO_SPLIT))
        )
    )

    rejects = staged.filter(pl.col("reason").is_not_null()).select(
        "source_file", "source_line", "reason", "raw"
    )

    lookup = code_lookup().lazy()
    entries = (
        staged.filter(pl.col("reason").is_null())
        .join(lookup, on="category_code", how="left")
        .select(
            "source_file",
            "source_line",
            content_hash(pl.col("raw")).alias("content_hash"),
            "captured_on",
            "category_code",
            "category",
            pl.col("category_ambiguous").fill_null(False),
            "published_date",
            pl.col("published_date").dt.year().cast(pl.Int32).alias("year"),
            "date_precision",
            "has_code",
            clean_long_text(pl.col("title_line").str.slice(0, pl.col("split_at") + 1)).alias("title"),
            clean_long_text(pl.col("abstract")).alias("abstract"),
            _split_authors(pl.col("s").struct.field("authors")).alias("authors"),
            pl.col("s").struct.field("et_al").is_not_null().alias("authors_truncated"),
            _split_list(pl.col("s").struct.field("orgs"), ",").list.eval(pl.element().str.to_lowercase()).alias("orgs"),
            "split_rule",
            "split_confidence",
            (pl.col("invalid") | pl.col("raw").str.contains("\ufffd", literal=True)).alias("has_invalid_bytes"),
        )
    )
    return Parsed(entries=entries, rejects=rejects)


def _split_title_line(records: pl.LazyFrame) -> pl.LazyFrame:
    """Find where the title ends (``split_at``: offset of its last character) and take the rest
    apart into authors, ``et al.`` and organisations (struct ``s``); see transforms/split.py."""
    return split_title_lines(records)


def _date(year: pl.Expr) -> pl.Expr:
    """Build a date from parts; impossible dates (Feb 30) become null, not errors."""
    return pl.format(
        "{}-{}-{}",
        year.cast(pl.String),
        pl.col("month").cast(pl.String).str.zfill(2),
        pl.col("day").cast(pl.String).str.zfill(2),
    ).str.to_date("%Y-%m-%d", strict=False)


def _split_authors(expr: pl.Expr) -> pl.Expr:
    """Split the author list on ", " -- except the comma of a suffix (``Stanley, Jr.``)."""
    protected = expr.str.replace_all(r", (Jr\.?|Sr\.?|II|III|IV)(,|$)", "\x1f$1$2")
    return _split_list(protected, ", ").list.eval(pl.element().str.replace_all("\x1f", ", ", literal=True))


def _split_list(expr: pl.Expr, sep: str) -> pl.Expr:
    """Split a delimited string into cleaned, non-empty items (empty list for null)."""
    return (
        expr.fill_null("")
        .str.split(sep)
        .list.eval(clean_text(pl.element()))
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def parse_sources(sources: pl.LazyFrame) -> Parsed:
    """Parse whole listing texts: ``sources`` has ``source_file``, ``text``, ``captured_on``
    and optionally ``invalid_lines`` (see :func:`transforms.records.split_lines`)."""
    records = assemble_records(split_lines(sources.drop("captured_on")))
    return parse_records(records, sources.select("source_file", "captured_on"))
