"""Cut raw listing text into records.

A record is a header line (category code glued to a date), then its
title-and-authors line, then its abstract.  Records are found by their header,
not by counting lines in threes, so one missing line costs one record, not
every record after it.  Blank lines are ignored wherever they are.

Every non-blank input line ends up in exactly one output row: a record
candidate (header + following lines) or an orphan group (lines that belong to
no header, e.g. text before the first record or a record whose date line is
missing).  Nothing is dropped here; parse.py decides what is rejected.
"""

from __future__ import annotations

import polars as pl

from transforms.grammar import header_pattern

BOM = "\ufeff"


def split_lines(sources: pl.LazyFrame) -> pl.LazyFrame:
    """One row per physical line: ``source_file, source_line (1-based), line, invalid``.

    ``sources`` has ``source_file``, decoded ``text`` and optionally
    ``invalid_lines`` (numbers of lines that were not valid UTF-8).  CR before
    LF and a leading byte-order mark are removed; other characters are kept.
    """
    if "invalid_lines" not in sources.collect_schema().names():
        sources = sources.with_columns(invalid_lines=pl.lit([], dtype=pl.List(pl.Int64)))
    invalid = (
        sources.select("source_file", pl.col("invalid_lines").alias("source_line"))
        .explode("source_line")
        .drop_nulls()
        .with_columns(invalid=pl.lit(True))
    )
    return (
        sources.select(
            "source_file",
            pl.col("text").str.strip_prefix(BOM).str.split("\n").alias("line"),
        )
        .with_columns(source_line=pl.int_ranges(1, pl.col("line").list.len() + 1, dtype=pl.Int64))
        .explode("line", "source_line")
        .with_columns(pl.col("line").str.strip_suffix("\r"))
        .filter(pl.col("line").is_not_null())
        .join(invalid, on=["source_file", "source_line"], how="left")
        .with_columns(pl.col("invalid").fill_null(False))
    )


def assemble_records(lines: pl.LazyFrame) -> pl.LazyFrame:
    """Group lines under their header.

    Output, one row per group: ``source_file, source_line`` (of its first line),
    ``header, title_line, abstract`` (null when absent), ``raw`` (the group's
    lines joined by newlines) and ``invalid`` (a line was not UTF-8).  A group
    with no header (``header`` null) is text outside any record: before the
    first header, or lines past the third of a record (typically the next
    record, missing its date line).

    Lines are sorted once; a record's title and abstract are then the next two
    rows (``shift``), so the common case needs no group-by at all.  Only the
    rare orphan lines are grouped.
    """
    body = (
        lines.filter(pl.col("line").str.strip_chars() != "")
        .sort("source_file", "source_line")
        .with_columns(is_header=pl.col("line").str.contains(header_pattern()))
        .with_columns(record=pl.col("is_header").cast(pl.Int64).cum_sum().over("source_file"))
        .with_columns(pos=pl.int_range(pl.len()).over("source_file", "record"))
    )

    def ahead(column: str, k: int) -> pl.Expr:
        """The value ``k`` rows down if that row is line ``k`` of the same record, else null."""
        same = (
            (pl.col("source_file").shift(-k) == pl.col("source_file"))
            & (pl.col("record").shift(-k) == pl.col("record"))
            & (pl.col("pos").shift(-k) == k)
        )
        return pl.when(same).then(pl.col(column).shift(-k))

    records = (
        body.with_columns(
            title_line=ahead("line", 1),
            abstract=ahead("line", 2),
            invalid=pl.col("invalid") | ahead("invalid", 1).fill_null(False) | ahead("invalid", 2).fill_null(False),
        )
        .filter((pl.col("pos") == 0) & (pl.col("record") > 0))
        .select(
            "source_file",
            "source_line",
            pl.col("line").alias("header"),
            "title_line",
            "abstract",
            pl.concat_str(["line", "title_line", "abstract"], separator="\n", ignore_nulls=True).alias("raw"),
            "invalid",
        )
    )
    orphans = (
        body.filter((pl.col("record") == 0) | (pl.col("pos") > 2))
        .group_by("source_file", "record")
        .agg(
            pl.col("source_line").first(),
            pl.col("line").str.join("\n").alias("raw"),
            pl.col("invalid").any(),
        )
        .select(
            "source_file",
            "source_line",
            pl.lit(None, dtype=pl.String).alias("header"),
            pl.lit(None, dtype=pl.String).alias("title_line"),
            pl.lit(None, dtype=pl.String).alias("abstract"),
            "raw",
            "invalid",
        )
    )
    return pl.concat([records, orphans]).sort("source_file", "source_line")
