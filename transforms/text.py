"""Text normalisation shared by every transform.

Listing text arrives in whatever form the page had: decomposed accents, runs of
spaces, non-breaking spaces.  Everything is compared in NFC with single spaces,
so that two byte-different renderings of the same string become equal, while
TeX in titles is left exactly as written (it is content, not markup noise).
"""

from __future__ import annotations

import polars as pl


#: Whitespace that needs collapsing: a run of two or more, or any single blank
#: other than a plain space.  A lone space matches nothing, so clean text (nearly
#: all of it) costs one scan and no rewrite.
_MESSY_SPACE = r"\s{2,}|[^\S ]"


def clean_text(expr: pl.Expr) -> pl.Expr:
    """NFC, whitespace (incl. NBSP/tabs) collapsed to one space, trimmed."""
    return expr.str.normalize("NFC").str.replace_all(_MESSY_SPACE, " ").str.strip_chars()


def _nfc_where_needed(series: pl.Series) -> pl.Series:
    """NFC only the strings that have a non-ASCII character (ASCII is always NFC)."""
    needs = series.str.contains(r"[^\x00-\x7f]").fill_null(False)
    if not needs.any():
        return series
    index = needs.arg_true()
    return series.scatter(index, series.gather(index).str.normalize("NFC"))


def clean_long_text(expr: pl.Expr) -> pl.Expr:
    """:func:`clean_text` for long strings (abstracts, titles): the same result, but
    Unicode normalisation runs only where a non-ASCII character makes it matter."""
    return (
        expr.map_batches(_nfc_where_needed, return_dtype=pl.String)
        .str.replace_all(_MESSY_SPACE, " ")
        .str.strip_chars()
    )


#: Letters that NFKD does not split into base + accent, folded by hand.
_NOT_DECOMPOSABLE = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
    "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
}


def fold(expr: pl.Expr) -> pl.Expr:
    """Accent- and case-insensitive key: ``Théophane`` and ``theophane`` fold alike."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.replace_many(_NOT_DECOMPOSABLE)
        .str.to_lowercase()
    )


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
