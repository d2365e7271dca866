"""Text normalisation shared by every transform.

Listing text arrives in whatever form the page had: decomposed accents, runs of
spaces, non-breaking spaces.  Everything is compared in NFC with single spaces,
so that two byte-different renderings of the same string become equal, while
TeX in titles is left exactly as written (it is content, not markup noise).

Nearly all listing text is plain ASCII with single spaces, and for such a
string every normalisation here is the identity or a cheap ASCII rewrite.  The
Series functions therefore find the few strings that need the full Unicode
treatment (a string is ASCII iff its byte and character lengths agree, which
costs no scan of the characters) and run the expensive steps on those only;
the expression forms are the reference definitions they must equal (tests
check both on generated text).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pyarrow as pa

#: Whitespace that needs collapsing: a run of two or more, or any single blank
#: other than a plain space.  A lone space matches nothing, so clean text (nearly
#: all of it) costs one scan and no rewrite.
_MESSY_SPACE = r"\s{2,}|[^\S ]"
#: ASCII whitespace other than the plain space (\t, \n, \v, \f, \r): a single one is messy.
_ASCII_CONTROL_SPACE = r"[\t\n\x0b\x0c\r]"
_ASCII_BLANKS = [" ", "\t", "\n", "\x0b", "\x0c", "\r"]

#: Letters that NFKD does not split into base + accent, folded by hand.
_NOT_DECOMPOSABLE = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
}


def is_ascii(expr: pl.Expr) -> pl.Expr:
    """True for ASCII strings: one byte per character (no scan for non-ASCII bytes)."""
    return expr.str.len_bytes() == expr.str.len_chars()


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFC, whitespace (incl. NBSP/tabs) collapsed to one space, trimmed (reference form)."""
    return expr.str.normalize("NFC").str.replace_all(_MESSY_SPACE, " ").str.strip_chars()


def _where(
    series: pl.Series, mask: pl.Series, fn: Callable[[pl.Series], pl.Series], source: pl.Series | None = None
) -> pl.Series:
    """``series`` with the rows where ``mask`` holds replaced by ``fn`` of those rows
    of ``source`` (default: of ``series`` itself)."""
    mask = mask.fill_null(False)
    if not mask.any():
        return series
    index = mask.arg_true()
    return series.scatter(index, fn((series if source is None else source).gather(index)))


def _expr_on(series: pl.Series, expr: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Evaluate an expression form over one Series."""
    return series.to_frame("v").select(expr(pl.col("v"))).to_series()


def clean_series(series: pl.Series) -> pl.Series:
    """:func:`clean_text` of every string, with Unicode work only where it can matter.

    Non-ASCII strings take the reference path.  An ASCII string is already NFC;
    it needs a rewrite only if it holds a control blank or two spaces in a row,
    and a trim only if it starts or ends with a blank -- each found by a check
    that is a fraction of the cost of the rewrite it saves.
    """
    ascii_ = (series.str.len_bytes() == series.str.len_chars()).fill_null(True)
    cleaned = _where(series, ~ascii_, lambda s: s.str.normalize("NFC").str.replace_all(_MESSY_SPACE, " ").str.strip_chars())
    messy = ascii_ & (series.str.contains(_ASCII_CONTROL_SPACE) | series.str.contains("  ", literal=True))
    cleaned = _where(cleaned, messy, lambda s: s.str.replace_all(_MESSY_SPACE, " "))
    edge = ascii_ & (cleaned.str.slice(0, 1).is_in(_ASCII_BLANKS) | cleaned.str.slice(-1).is_in(_ASCII_BLANKS))
    return _where(cleaned, edge, lambda s: s.str.strip_chars())


def clean_long_text(expr: pl.Expr) -> pl.Expr:
    """:func:`clean_text` for long strings (abstracts, titles), via :func:`clean_series`."""
    return expr.map_batches(clean_series, return_dtype=pl.String)


def clean_list_series(lists: pl.Series) -> pl.Series:
    """Clean every string of a List(String) column and drop the empty ones.

    The values are cleaned as one flat Series (so the fast paths of
    :func:`clean_series` apply across all lists at once) and the lists are
    rebuilt from Arrow offsets, which keeps row boundaries without a group-by.
    """
    arrow = lists.to_arrow()
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    offsets = pl.Series(arrow.offsets).cast(pl.Int64)
    offsets = offsets - offsets[0]
    values = clean_series(pl.from_arrow(arrow.flatten()).cast(pl.String))
    keep = (values != "").fill_null(False)
    kept_before = pl.concat([pl.Series([0], dtype=pl.Int64), keep.cast(pl.Int64).cum_sum()])
    new_offsets = kept_before.gather(offsets)
    rebuilt = pa.LargeListArray.from_arrays(
        new_offsets.to_arrow(),
        values.filter(keep).to_arrow().cast(pa.large_string()),
        mask=arrow.is_null() if arrow.null_count else None,
    )
    return pl.from_arrow(rebuilt).cast(pl.List(pl.String)).alias(lists.name)


def fold(expr: pl.Expr) -> pl.Expr:
    """Accent- and case-insensitive key: ``Théophane`` and ``theophane`` fold alike (reference form)."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.replace_many(_NOT_DECOMPOSABLE)
        .str.to_lowercase()
    )


def fold_series(series: pl.Series) -> pl.Series:
    """:func:`fold` of every string; for ASCII strings folding is just lower-casing."""
    ascii_ = (series.str.len_bytes() == series.str.len_chars()).fill_null(True)
    lowered = series.str.to_lowercase()
    return _where(lowered, ~ascii_, lambda s: _expr_on(s, fold), source=series)


def title_key(expr: pl.Expr) -> pl.Expr:
    """The comparison key of a title: folded, TeX commands and punctuation neutralised.

    ``Scaling Up Models with $\\texttt{t5x}$`` and ``Scaling up models with t5x``
    share a key; word boundaries are kept so distinct titles stay distinct.
    """
    return (
        fold(expr)
        .str.replace_all(r"\\[a-z]+", " ")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )


def title_key_series(series: pl.Series) -> pl.Series:
    """:func:`title_key` of every title; ASCII titles take ASCII-only regexes."""
    ascii_ = (series.str.len_bytes() == series.str.len_chars()).fill_null(True)
    folded = series.str.to_lowercase().str.replace_all(r"\\[a-z]+", " ")
    keyed = folded.str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    return _where(keyed, ~ascii_, lambda s: _expr_on(s, title_key), source=series)
