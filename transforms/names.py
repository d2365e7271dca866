"""Personal names taken apart, so that variants of one name can be compared.

A name is folded (accents, case, dots, hyphens and apostrophes neutralised:
``Jean-Bastien`` = ``Jean Bastien``, ``Théophane`` = ``Theophane``) and split
into given names and a surname.  The surname keeps its particles (``van den
Oord`` -> ``vandenoord``) because ``Oord`` alone is a different key.  The
*block* -- surname key + first initial -- is what candidate pairs share, so
comparison work grows with block sizes, not with the square of all names.
"""

from __future__ import annotations

import polars as pl

from transforms.grammar import PARTICLES
from transforms.text import fold, fold_series

SUFFIXES = ("jr", "sr", "ii", "iii", "iv")


def name_key(name: pl.Expr) -> pl.Expr:
    """Folded comparison form: ``Danilo J. Rezende`` -> ``danilo j rezende``."""
    return (
        fold(name)
        .str.replace_all(r"['’`]", "")
        .str.replace_all(r"[.\-‐,]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def name_key_series(names: pl.Series) -> pl.Series:
    """:func:`name_key` of every name; ASCII names skip Unicode folding."""
    folded = fold_series(names)
    return (
        folded.str.replace_all(r"['’`]", "")
        .str.replace_all(r"[.\-‐,]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def name_parts(key: pl.Expr) -> list[pl.Expr]:
    """Columns ``given`` (list of folded given-name tokens), ``surname_key``, ``first``,
    ``first_initial``, ``middle`` (list) from a folded key."""
    particles = "|".join(sorted(PARTICLES, key=len, reverse=True))
    without_suffix = key.str.replace(rf"(?: (?:{'|'.join(SUFFIXES)}))+$", "")
    split = without_suffix.str.extract_groups(rf"^(?:(?P<given>.+?) )?(?P<surname>(?:(?:{particles}) )*[^ ]+)$")
    given = (
        split.struct.field("given")
        .fill_null("")
        .str.split(" ")
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    surname = split.struct.field("surname").fill_null(without_suffix)
    first = given.list.first()
    return [
        given.alias("given"),
        surname.str.replace_all(" ", "").alias("surname_key"),
        first.alias("first"),
        pl.coalesce(first, surname).str.slice(0, 1).alias("first_initial"),
        given.list.slice(1).alias("middle"),
    ]


def completeness(name: pl.Expr) -> pl.Expr:
    """How complete a written form is: full given names beat initials, accents beat none.

    Used to pick ``authors.name``, the most complete observed form.
    """
    tokens = name.str.replace_all(r"[\-‐]", " ").str.split(" ")
    full_tokens = tokens.list.eval(pl.element().str.len_chars().gt(2).cast(pl.Int32)).list.sum()
    non_ascii = name.str.contains(r"[^\x00-\x7f]").cast(pl.Int32)
    return full_tokens * 1000 + non_ascii * 100 + name.str.len_chars()
