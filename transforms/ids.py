"""Stable, content-derived identifiers.

Polars' own ``hash`` is only stable within one Polars version, so ids built
from it would change on upgrade and break every join an analyst saved.  MD5
is stable everywhere; DuckDB computes it vectorised and multi-threaded over
Arrow memory, which keeps this off the per-row Python path.
"""

from __future__ import annotations

import duckdb
import polars as pl

ID_LENGTH = 16  # hex chars: 64 bits, collision-free in practice at millions of rows


def md5_hex(values: pl.Series) -> pl.Series:
    """MD5 of each string, as lowercase hex (null stays null)."""
    con = duckdb.connect()
    try:
        con.register("v", pl.DataFrame({"s": values.cast(pl.String)}).to_arrow())
        hashed = con.sql("SELECT md5(s) AS h FROM v").to_arrow_table()
    finally:
        con.close()
    return pl.Series(values.name, pl.from_arrow(hashed).to_series(), dtype=pl.String)


def stable_id(*parts: pl.Expr) -> pl.Expr:
    """An id from the given parts (joined with a unit separator, nulls as empty)."""
    key = pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator="\x1f")
    return key.map_batches(md5_hex, return_dtype=pl.String).str.slice(0, ID_LENGTH)


def content_hash(expr: pl.Expr) -> pl.Expr:
    """Full MD5 of a text, for lineage: equal hash means byte-identical record text."""
    return expr.map_batches(md5_hex, return_dtype=pl.String)
