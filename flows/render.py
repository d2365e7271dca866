"""Render query results and summaries for the terminal, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from warehouse.query import QueryResult


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def render(result: QueryResult, fmt: str, console: Console) -> None:
    if fmt == "json":
        records = [{c: _plain(v) for c, v in zip(result.columns, row)} for row in result.rows]
        console.file.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([[_plain(v) for v in row] for row in result.rows])
        console.file.write(buffer.getvalue())
    else:
        table = Table(show_lines=False)
        for column in result.columns:
            table.add_column(column, overflow="fold")
        for row in result.rows:
            table.add_row(*["" if v is None else str(_plain(v)) for v in row])
        console.print(table)
        console.print(f"{len(result.rows)} row(s)", style="dim")


def key_value_table(title: str, pairs: list[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("key", style="bold")
    table.add_column("value")
    for key, value in pairs:
        table.add_row(key, str(value))
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
