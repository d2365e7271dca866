"""Stable, content-derived identifiers.

Polars' own ``hash`` is only stable within one Polars version, so ids built
from it would change on upgrade and break every join an analyst saved.  MD5
is stable everywhere; DuckDB computes it vectorised over Arrow memory (in
parallel over record batches), which keeps it off the per-row Python path.
Each thread keeps one in-memory DuckDB connection for this, opened on first
use: opening one per call cost more than hashing a few thousand rows.
"""

from __future__ import annotations

import hashlib
import threading

import duckdb
import polars as pl
import pyarrow as pa

ID_LENGTH = 16  # hex chars: 64 bits, collision-free in practice at millions of rows
#: Rows per Arrow record batch handed to DuckDB: its unit of parallel work.
_BATCH_ROWS = 32_768
_SEPARATOR = "\x1f"
_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = duckdb.connect()
    return con


#: Below this many rows, hashing in Python beats a DuckDB query's fixed cost.
_SMALL = 4096


def _md5_python(values: pl.Series, length: int | None) -> pl.Series:
    hashed = [None if v is None else hashlib.md5(v.encode("utf-8")).hexdigest()[:length] for v in values.to_list()]
    return pl.Series(values.name, hashed, dtype=pl.String)


def _md5_of(table: pa.Table, expression: str) -> pl.Series:
    """Run ``expression`` (a fixed md5 expression over columns of ``table``) in DuckDB."""
    batched = pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), schema=table.schema)
    con = _connection()
    con.register("hash_input", batched)
    try:
        hashed = con.sql(expression).to_arrow_table()
    finally:
        con.unregister("hash_input")
    return pl.from_arrow(hashed.column(0)).cast(pl.String)


def md5_hex(values: pl.Series) -> pl.Series:
    """MD5 of each string, as lowercase hex (null stays null)."""
    if values.len() < _SMALL:
        return _md5_python(values.cast(pl.String), None)
    table = pa.table({"s": values.cast(pl.String).to_arrow()})
    return _md5_of(table, "SELECT md5(s) FROM hash_input").alias(values.name)


def md5_id(values: pl.Series) -> pl.Series:
    """The first ID_LENGTH hex characters of each string's MD5 (cut in DuckDB: a
    Polars string operation chained after a Python UDF costs more than the hashing)."""
    if values.len() < _SMALL:
        return _md5_python(values.cast(pl.String), ID_LENGTH)
    table = pa.table({"s": values.cast(pl.String).to_arrow()})
    return _md5_of(table, _ID_SQL).alias(values.name)


_ID_SQL = "SELECT left(md5(s), 16) FROM hash_input"
assert str(ID_LENGTH) in _ID_SQL
#: A record's text is its three lines joined by newlines.
_RECORD_MD5 = "SELECT md5(header || chr(10) || title_line || chr(10) || abstract) FROM hash_input"


def md5_record_lines(frame: pl.DataFrame) -> pl.Series:
    """MD5 of each record's text (``header``, ``title_line``, ``abstract`` joined by newlines).

    Equal to ``md5_hex`` of the joined text, without building that text in
    Polars first: DuckDB joins and hashes in one vectorised pass.
    """
    table = frame.select(pl.col("header", "title_line", "abstract").cast(pl.String)).to_arrow()
    return _md5_of(table, _RECORD_MD5).alias("content_hash")


def stable_id(*parts: pl.Expr) -> pl.Expr:
    """An id from the given parts (joined with a unit separator, nulls as empty)."""
    key = pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator=_SEPARATOR)
    return key.map_batches(md5_id, return_dtype=pl.String, is_elementwise=True)


def content_hash(expr: pl.Expr) -> pl.Expr:
    """Full MD5 of a text, for lineage: equal hash means byte-identical record text."""
    return expr.map_batches(md5_hex, return_dtype=pl.String, is_elementwise=True)
