"""Cut raw listing text into records.

A record is a header line (category code glued to a date), then its
title-and-authors line, then its abstract.  Records are found by their header,
not by counting lines in threes, so one missing line costs one record, not
every record after it.  Blank lines are ignored wherever they are.

Every non-blank input line ends up in exactly one output group: a record
candidate (header + following lines) or an orphan group (lines that belong to
no header, e.g. text before the first record or a record whose date line is
missing).  Nothing is dropped here; parse.py decides what is rejected.

Sources are read in *pieces* so that memory is bounded by a piece, not by a
file, and many small files are parsed in one batch so that per-call costs do
not dominate.  A large file is cut only just before a header line
(:func:`record_cut`), where no group can continue across the cut, so a file
parses the same in pieces as whole.
"""

from __future__ import annotations

import polars as pl

from transforms.grammar import header_pattern

BOM = "\ufeff"
#: Schema of the line frames the assembler works on (one row per physical line).
LINE_SCHEMA = {"piece": pl.Int32, "source_line": pl.Int64, "line": pl.String, "invalid": pl.Boolean}
#: Schema of assembled groups.
GROUP_SCHEMA = {
    "piece": pl.Int32,
    "source_line": pl.Int64,
    "header": pl.String,
    "title_line": pl.String,
    "abstract": pl.String,
    "raw": pl.String,
    "invalid": pl.Boolean,
}
#: How far back from a block's end :func:`record_cut` looks for a header line.  A
#: header is followed by two lines of a record, ~1.2 KB; a block without one in its
#: last 256 KiB is junk, and cutting it at a line end changes only how that junk is
#: grouped into rejects.
CUT_LOOKBACK_BYTES = 256 * 1024


def lines_from_utf8(data: bytes, piece: int = 0, first_line: int = 1) -> pl.DataFrame | None:
    """One row per line of UTF-8 ``data`` (CRLF's ``\\r`` removed, numbered from
    ``first_line``), or None when ``data`` is not valid UTF-8.

    ``pl.scan_lines`` splits and validates in native code, several times faster
    than decoding and splitting in Python; the rare invalid piece takes the slow
    path in :func:`lines_from_text`.
    """
    try:
        frame = pl.scan_lines(data, name="line", row_index_name="source_line", row_index_offset=first_line).collect()
    except pl.exceptions.ComputeError:
        return None
    return frame.select(
        pl.lit(piece, dtype=pl.Int32).alias("piece"),
        pl.col("source_line").cast(pl.Int64),
        pl.col("line"),
        pl.lit(False).alias("invalid"),
    )


def lines_from_text(
    text: str, invalid_lines: list[int] | None = None, piece: int = 0, first_line: int = 1
) -> pl.DataFrame:
    """One row per line of decoded ``text``; ``invalid_lines`` (numbers relative to
    ``first_line`` = 1) are flagged: they were not valid UTF-8 and were decoded as Windows-1252."""
    lines = pl.Series("line", text.split("\n"), dtype=pl.String)
    if lines.len() and lines[-1] == "":  # a final newline ends the last line; it does not start one
        lines = lines.head(lines.len() - 1)
    frame = pl.DataFrame(
        {
            "piece": pl.Series([piece] * lines.len(), dtype=pl.Int32),
            "source_line": pl.int_range(first_line, first_line + lines.len(), dtype=pl.Int64, eager=True),
            "line": lines.str.strip_suffix("\r"),
        }
    )
    flags = pl.Series("invalid", [False] * frame.height, dtype=pl.Boolean)
    index = [n - 1 for n in sorted(set(invalid_lines or ())) if 0 < n <= frame.height]
    if index:
        flags = flags.scatter(index, True)
    return frame.with_columns(flags)


def strip_bom(lines: pl.DataFrame) -> pl.DataFrame:
    """Remove a byte-order mark from the first line of a source (a piece starting at line 1)."""
    if lines.height == 0 or lines["source_line"][0] != 1:
        return lines
    first = lines["line"][0]
    if first is None or not first.startswith(BOM):
        return lines
    return lines.with_columns(lines["line"].scatter([0], first.removeprefix(BOM)))


def record_cut(block: bytes) -> int:
    """Where to cut ``block`` (the start of a file's unread rest) so that no record spans the cut.

    Returns the byte offset of the last header line that starts within the last
    :data:`CUT_LOOKBACK_BYTES` and ends within the block (the cut goes just
    before it, so the next piece begins with a header), else the end of the last
    complete line, else 0 (no complete line at all: read more).
    """
    last_newline = block.rfind(b"\n")
    if last_newline < 0:
        return 0
    start = max(0, last_newline + 1 - CUT_LOOKBACK_BYTES)
    start = block.find(b"\n", start - 1) + 1 if start else 0  # begin at a line start
    tail = block[start : last_newline + 1]
    offsets = [0]
    for line in tail.split(b"\n")[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    lines = pl.Series([line.rstrip(b"\r") for line in tail.split(b"\n")[:-1]], dtype=pl.Binary)
    text = lines.cast(pl.String, strict=False)  # a line that is not UTF-8 is no header
    headers = text.str.contains(header_pattern()).fill_null(False)
    found = headers.arg_true()
    if found.len() and start + offsets[found[-1]] > 0:
        return start + offsets[found[-1]]
    return last_newline + 1


def record_text() -> pl.Expr:
    """A group's text as it was listed: an orphan group's lines, or a record's lines."""
    return pl.coalesce(
        pl.col("raw"), pl.concat_str(["header", "title_line", "abstract"], separator="\n", ignore_nulls=True)
    )


def assemble(lines: pl.DataFrame) -> pl.DataFrame:
    """Group lines (of one or more pieces, in order) under their headers.

    Output groups (GROUP_SCHEMA): ``piece`` and ``source_line`` (of the group's
    first line), ``header, title_line, abstract`` (null when absent), ``raw`` (an
    orphan group's lines joined by newlines; null for a record, whose text is its
    three lines -- :func:`record_text` -- so that abstracts are not copied into a
    column only rejects need) and ``invalid`` (a line was not UTF-8).  A group with
    no header (``header`` null) is text outside any record: at the start of a
    piece before its first header, or lines past the third of a record
    (typically the next record, missing its date line).

    No sort and no window function: lines arrive in order, a group starts at a
    header or at a new piece, a record's title and abstract are the next two rows
    (``shift``), and only the rare orphan lines are grouped.
    """
    body = (
        lines.lazy()
        .filter(pl.col("line").str.contains(r"\S"))  # stops at the first non-blank character
        .with_row_index("i")
        .with_columns(is_header=pl.col("line").str.contains(header_pattern()))
        .with_columns(starts=pl.col("is_header") | (pl.col("piece") != pl.col("piece").shift(1)).fill_null(True))
        .with_columns(
            group=pl.col("starts").cast(pl.Int64).cum_sum(),
            start=pl.when(pl.col("starts")).then(pl.col("i")).forward_fill(),
            is_record=pl.when(pl.col("starts")).then(pl.col("is_header")).forward_fill(),
        )
        .with_columns(pos=pl.col("i") - pl.col("start"))
        .collect()
    )

    def ahead(column: str, k: int) -> pl.Expr:
        """The value ``k`` rows down if that row is line ``k`` of the same group, else null."""
        return pl.when(pl.col("pos").shift(-k) == k).then(pl.col(column).shift(-k))

    records = (
        body.lazy()
        .with_columns(
            title_line=ahead("line", 1),
            abstract=ahead("line", 2),
            invalid=pl.col("invalid") | ahead("invalid", 1).fill_null(False) | ahead("invalid", 2).fill_null(False),
        )
        .filter(pl.col("is_header") & (pl.col("pos") == 0))
        .select(
            "piece",
            "source_line",
            pl.col("line").alias("header"),
            "title_line",
            "abstract",
            pl.lit(None, dtype=pl.String).alias("raw"),
            "invalid",
        )
    )
    orphan_lines = body.filter(~pl.col("is_record") | (pl.col("pos") > 2))
    if orphan_lines.height == 0:
        return records.collect()
    orphans = (
        orphan_lines.lazy()
        .group_by("group")
        .agg(
            pl.col("piece").first(),
            pl.col("source_line").first(),
            pl.col("line").str.join("\n").alias("raw"),
            pl.col("invalid").any(),
        )
        .select(
            "piece",
            "source_line",
            pl.lit(None, dtype=pl.String).alias("header"),
            pl.lit(None, dtype=pl.String).alias("title_line"),
            pl.lit(None, dtype=pl.String).alias("abstract"),
            "raw",
            "invalid",
        )
    )
    return pl.concat([records, orphans]).sort("piece", "source_line").collect()
