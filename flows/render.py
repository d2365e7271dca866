"""Render query results and summaries for the terminal, CSV or JSON.

Results arrive as a stream of Arrow batches (``warehouse.query.Stream``) and
leave the same way: CSV through pyarrow's CSV writer with the options the BI
export uses (so booleans are ``true``/``false``, dates ``YYYY-MM-DD``, NULL an
empty field, in both), JSON as one array written batch by batch (Polars
serialises each batch), so a result of any size prints in bounded memory.
The table format is for eyes: at most ``max_rows`` rows, one line per row,
long cells cut to the terminal's width.

Nothing from the data or from an error message is ever interpreted as rich
markup (``[/t]`` is text), and control characters are shown escaped, so a
value cannot move the cursor or recolour the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warehouse.query import Stream

FORMATS = ("table", "csv", "json")
#: Rows the table format shows at most (the note says when there were more).
DEFAULT_TABLE_ROWS = 1000
#: A table cell is never longer than this many characters, whatever the terminal.
MAX_CELL_CHARS = 200
#: Narrowest a cell may be cut to.
MIN_CELL_CHARS = 12
#: A column is never squeezed narrower than this (or its content, if shorter): columns that do
#: not fit beside each other are left out, with a note, rather than shown zero characters wide.
MIN_COLUMN_CHARS = 8
#: Characters a table column takes besides its content (padding and border).
COLUMN_PADDING = 3
#: How a NULL looks in the table format.
NULL_TEXT = "NULL"
ELLIPSIS = "…"
#: Control characters (C0, DEL, C1) are shown, not sent to the terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_VISIBLE = {"\n": "⏎", "\r": "", "\t": " "}
#: The same options as bi/export.py's CSV files.
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, quoting_style="needed")


class RenderError(ValueError):
    """The result cannot be written in the asked format (one line)."""


# --- values as text -----------------------------------------------------------------------


def json_value(value: Any) -> Any:
    """A JSON-encodable form of a Python value from DuckDB/Arrow."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return blob_text(bytes(value))
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if _is_interval(value):
        return interval_text(value)
    return str(value)


def interval_text(value: Any) -> str:
    """An Arrow month-day-nano interval the way DuckDB prints one (``1 year 2 months 3 days 04:05:06.5``)."""
    months, days, nanos = value.months, value.days, value.nanoseconds
    parts = []
    years, months = divmod(months, 12) if months >= 0 else (-((-months) // 12), -((-months) % 12))
    for amount, unit in ((years, "year"), (months, "month"), (days, "day")):
        if amount:
            parts.append(f"{amount} {unit}{'' if abs(amount) == 1 else 's'}")
    if nanos or not parts:
        sign, nanos = ("-", -nanos) if nanos < 0 else ("", nanos)
        seconds, fraction = divmod(nanos, 1_000_000_000)
        hours, rest = divmod(seconds, 3600)
        text = f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
        if fraction:
            text += ("." + f"{fraction:09d}").rstrip("0")
        parts.append(text)
    return " ".join(parts)


def _is_interval(value: Any) -> bool:
    return all(hasattr(value, name) for name in ("months", "days", "nanoseconds"))


def blob_text(data: bytes) -> str:
    """Bytes the way DuckDB prints a BLOB: printable ASCII as is, the rest ``\\xNN``."""
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else f"\\x{b:02X}" for b in data)


def display_value(value: Any) -> str:
    """One value as the table format shows it (before cutting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return blob_text(bytes(value))
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(json_value(value), ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if _is_interval(value):
        return interval_text(value)
    return str(value)


def visible(text: str) -> str:
    """``text`` on one line with control characters made visible."""
    return _CONTROL.sub(lambda m: _VISIBLE.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def plan_text(text: str) -> str:
    """A multi-line text (an EXPLAIN plan) with every control character but the newline made visible."""
    return "\n".join(visible(line) for line in text.split("\n"))


def cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + ELLIPSIS


# --- Arrow columns the writers can take ------------------------------------------------------


def _plain_dictionary(column: pa.Array) -> pa.Array:
    return column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column


def _csv_native(dtype: pa.DataType) -> bool:
    return (
        pa.types.is_boolean(dtype) or pa.types.is_integer(dtype) or pa.types.is_floating(dtype)
        or pa.types.is_decimal(dtype) or pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
        or pa.types.is_date(dtype) or pa.types.is_timestamp(dtype) or pa.types.is_time(dtype)
        or pa.types.is_null(dtype)
    )


def _as_text(column: pa.Array, encode: Any) -> pa.Array:
    """A string column from any column, value by value (only for types no writer takes)."""
    return pa.array([None if v is None else encode(v) for v in column.to_pylist()], type=pa.string())


def _csv_text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return blob_text(bytes(value))
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(json_value(value), ensure_ascii=False)
    if _is_interval(value):
        return interval_text(value)
    return str(value)


def csv_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with every column in a type pyarrow's CSV writer takes (nested -> JSON text)."""
    columns = []
    for column in batch.columns:
        column = _plain_dictionary(column)
        if pa.types.is_string_view(column.type):
            column = column.cast(pa.string())
        columns.append(column if _csv_native(column.type) else _as_text(column, _csv_text))
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _json_column(column: pa.Array) -> pa.Array:
    column = _plain_dictionary(column)
    dtype = column.type
    if pa.types.is_decimal(dtype):
        if dtype.scale == 0:
            try:
                return pc.cast(column, pa.int64())
            except pa.ArrowInvalid:  # beyond int64: a float keeps the magnitude
                return pc.cast(column, pa.float64())
        return pc.cast(column, pa.float64())
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype) or pa.types.is_fixed_size_binary(dtype):
        return _as_text(column, lambda v: blob_text(bytes(v)))
    if pa.types.is_interval(dtype) or pa.types.is_duration(dtype):
        return _as_text(column, lambda v: interval_text(v) if _is_interval(v) else str(v))
    if pa.types.is_map(dtype):  # Polars has no map type: the pairs as a JSON text
        return _as_text(column, lambda v: json.dumps(json_value(v), ensure_ascii=False))
    return column


def json_lines(batch: pa.RecordBatch) -> list[str]:
    """One JSON object per row of ``batch`` (Polars serialises; non-finite floats become null)."""
    import polars as pl

    columns = [_json_column(c) for c in batch.columns]
    table = pa.Table.from_arrays(columns, names=batch.schema.names)
    return pl.from_arrow(table, rechunk=False).write_ndjson().splitlines()


# --- writers --------------------------------------------------------------------------------


def write_csv(stream: Stream, out: IO[bytes]) -> int:
    """Stream the result as CSV to the binary file ``out``; returns the rows written."""
    writer: pacsv.CSVWriter | None = None
    rows = 0
    try:
        for batch in stream.batches:
            ready = csv_batch(batch)
            if writer is None:
                writer = pacsv.CSVWriter(out, ready.schema, write_options=CSV_OPTIONS)
            writer.write_batch(ready)
            rows += batch.num_rows
        if writer is None and stream.schema.names:  # no rows: still the header
            empty = pa.RecordBatch.from_arrays(
                [pa.array([], type=field.type) for field in stream.schema], schema=stream.schema)
            writer = pacsv.CSVWriter(out, csv_batch(empty).schema, write_options=CSV_OPTIONS)
    finally:
        if writer is not None:
            writer.close()
    return rows


def write_json(stream: Stream, out: IO[str]) -> int:
    """Stream the result as one JSON array of objects (one per line); returns the rows written."""
    names = stream.schema.names
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise RenderError(f"--format json needs distinct column names (repeated: {', '.join(duplicates)})")
    rows = 0
    for batch in stream.batches:
        if batch.num_rows == 0:
            continue
        lines = json_lines(batch)
        out.write(("[\n" if rows == 0 else ",\n") + ",\n".join(lines))
        rows += batch.num_rows
    out.write("\n]\n" if rows else "[]\n")
    return rows


def _first_rows(batches: Iterator[pa.RecordBatch], limit: int) -> tuple[list[list[Any]], bool]:
    """Up to ``limit`` rows as Python values, and whether there were more."""
    rows: list[list[Any]] = []
    for batch in batches:
        columns = [_plain_dictionary(c).to_pylist() for c in batch.columns]
        for index in range(batch.num_rows):
            if len(rows) == limit:
                return rows, True
            rows.append([column[index] for column in columns])
    return rows, False


def render_table(stream: Stream, console: Console, max_rows: int = DEFAULT_TABLE_ROWS) -> int:
    """At most ``max_rows`` rows as a terminal table, one line per row; returns the rows shown."""
    rows, more = _first_rows(stream.batches, max_rows)
    if stream.columns == ["explain_key", "explain_value"]:  # a plan: show it as DuckDB draws it
        for row in rows:
            console.print(Text(plan_text(str(row[1]))), soft_wrap=True)
        return len(rows)
    limit = max(MIN_CELL_CHARS, min(MAX_CELL_CHARS, console.width - 4))
    headers = [visible(name) for name in stream.columns]
    cells = [[None if v is None else cut(visible(display_value(v)), limit) for v in row] for row in rows]
    natural = [max([len(h)] + [len(row[i] or NULL_TEXT) for row in cells]) for i, h in enumerate(headers)]
    widths = column_widths(natural, console.width)
    shown = range(len(widths))
    table = Table(show_lines=False, highlight=False)
    for index in shown:
        table.add_column(Text(cut(headers[index], widths[index])), no_wrap=True, overflow="ellipsis",
                         width=widths[index])
    for row in cells:
        table.add_row(*[
            Text(NULL_TEXT, style="dim") if row[i] is None else Text(cut(row[i], widths[i])) for i in shown
        ])
    console.print(table)
    if more:
        note = (f"showing the first {len(rows):,} rows; there are more "
                "(add LIMIT/OFFSET, raise --max-rows, or use --format csv/json for all of them)")
    else:
        note = f"{len(rows):,} row(s)"
    hidden = headers[len(widths):]
    if hidden:
        note += (f"; {len(hidden)} more column(s) do not fit the terminal: {', '.join(hidden)} "
                 "(select fewer columns, or use --format csv/json)")
    console.print(Text(note, style="dim"))
    return len(rows)


def column_widths(natural: list[int], width: int) -> list[int]:
    """Widths for the leading columns that fit a table ``width`` characters wide.

    Columns keep their natural width when everything fits; otherwise the widest
    are narrowed first, to one common cap, never below MIN_COLUMN_CHARS (or
    their natural width, if smaller).  Columns that do not fit even so are left
    out (the caller notes them); the first column is always shown.
    """
    count = len(natural)
    while count > 1:
        available = width - 1 - COLUMN_PADDING * count
        floors = [min(w, MIN_COLUMN_CHARS) for w in natural[:count]]
        if sum(floors) <= available:
            break
        count -= 1
    chosen = natural[:count]
    available = max(1, width - 1 - COLUMN_PADDING * count)
    if sum(chosen) <= available:
        return chosen
    low, high = MIN_COLUMN_CHARS, max(chosen)  # the largest cap that fits
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in chosen) <= available:
            low = cap
        else:
            high = cap - 1
    return [max(1, min(w, low)) for w in chosen]


def render(stream: Stream, fmt: str, console: Console, max_rows: int = DEFAULT_TABLE_ROWS) -> int:
    """Write ``stream`` to ``console``'s file in ``fmt`` (table, csv or json); returns the rows written."""
    if fmt == "csv":
        console.file.flush()
        binary = getattr(console.file, "buffer", None)
        if binary is None:
            raise RenderError("--format csv needs a binary-capable output")
        return write_csv(stream, binary)
    if fmt == "json":
        return write_json(stream, console.file)
    return render_table(stream, console, max_rows)


# --- summaries ------------------------------------------------------------------------------


def key_value_table(title: str, pairs: Iterable[tuple[str, Any]]) -> Table:
    """A two-column table; values are text (never markup) and wrap instead of being cut."""
    table = Table(title=Text(title), show_header=False, title_justify="left")
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for key, value in pairs:
        table.add_row(Text(str(key)), value if isinstance(value, Text) else Text(str(value)))
    return table


def quality_rows(quality: dict) -> list[tuple[str, object]]:
    """Author-resolution quality lines for the summaries."""
    if not quality:
        return []
    merges = ", ".join(f"{rule} {n}" for rule, n in quality.get("merges_by_rule", {}).items()) or "none"
    return [
        ("author mentions", quality.get("mentions")),
        ("persons / groups", f'{quality.get("persons")} / {quality.get("groups")}'),
        ("merged forms by rule", merges),
        ("low-confidence merges", quality.get("low_confidence_merges")),
        ("ambiguous names", quality.get("ambiguous_names")),
        ("possible matches left apart", quality.get("possible_matches_left_apart")),
    ]
