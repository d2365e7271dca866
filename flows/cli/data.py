"""``paperhouse describe`` and ``paperhouse check``: the data dictionary and the data tests.

``describe`` needs no warehouse: the dictionary ships with the code.  ``check``
runs the audits of ``warehouse.audits`` on the current snapshot (or
``--snapshot``) through the same read-only, locked-down connection as
``paperhouse sql``, prints every result, and exits 1 naming the failures, so
it can gate a pipeline the way ``dbt test`` does.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Optional

import typer

from flows.cli.common import fail, layout_of, out

DESCRIBE_FORMATS = ("text", "json")
#: Widest a sample cell is printed (abstracts and raw rejects are long).
SAMPLE_CELL_WIDTH = 48
#: Indent of a failure's details under its FAIL line.
DETAIL_INDENT = 6
#: ``describe``: how the free width is shared between descriptions and test labels.
DESCRIPTION_SHARE, TESTS_SHARE = 3, 1


def describe(
    name: Annotated[Optional[str], typer.Argument(help="A table or view (default: all of them).", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Describe the tables and views: grain, columns, types, descriptions and data tests."""
    from warehouse.dictionary import DictionaryError, load_dictionary

    fmt = fmt.lower()
    if fmt not in DESCRIBE_FORMATS:
        fail(f"unknown --format {fmt!r}: use {' or '.join(DESCRIBE_FORMATS)}", code=2)
    dictionary = load_dictionary()
    try:
        datasets = [dictionary.get(name)] if name is not None else list(dictionary.datasets)
    except DictionaryError as exc:
        fail(str(exc))
    if fmt == "json":
        out.print_json(json.dumps([_as_json(d) for d in datasets], ensure_ascii=False))
        return
    for dataset in datasets:
        _print_dataset(dataset)


def _as_json(dataset: Any) -> dict[str, Any]:
    return {
        "name": dataset.name,
        "kind": dataset.kind,
        "grain": dataset.grain,
        "description": dataset.description,
        "data_tests": [t.label() for t in dataset.tests],
        "columns": [
            {
                "name": c.name, "type": c.type, "description": c.description,
                **({"example": c.example} if c.example is not None else {}),
                "data_tests": [t.label() for t in c.tests],
            }
            for c in dataset.columns
        ],
    }


def _print_dataset(dataset: Any) -> None:
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    out.print(Text.assemble((dataset.name, "bold"), f"  ({dataset.kind})"))
    lines = [("grain", dataset.grain or ""), ("about", dataset.description)]
    if dataset.tests:
        lines.append(("tests", "; ".join(t.label() for t in dataset.tests)))
    for label, text in lines:
        out.print(Padding(Text(f"{label}: {text}"), (0, 0, 0, 2)))
    table = Table(expand=True)
    table.add_column("column", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("description", ratio=DESCRIPTION_SHARE)
    table.add_column("tests", ratio=TESTS_SHARE, overflow="fold")
    for column in dataset.columns:
        example = f" Example: {column.example}" if column.example is not None else ""
        table.add_row(column.name, column.type, column.description + example, "\n".join(t.label() for t in column.tests))
    out.print(table, markup=False)
    out.print()


def check(
    ctx: typer.Context,
    snapshot: Annotated[Optional[str], typer.Option(help="Check an older snapshot by run id.")] = None,
    views: Annotated[
        bool, typer.Option("--views/--no-views", help="Also audit the aggregate views (they cost as much as the views).")
    ] = True,
) -> None:
    """Run the data tests (sql/audits/ and the dictionary's tests) on a snapshot; exit 1 if any fails."""
    import duckdb

    from warehouse.audits import failures, run_audits
    from warehouse.query import WarehouseMissing, open_readonly

    try:
        con = open_readonly(layout_of(ctx), snapshot)
    except (WarehouseMissing, duckdb.Error, OSError, ValueError, RuntimeError) as exc:
        # a missing, damaged or unreadable snapshot: whatever the read path reports, one line
        fail(" ".join(str(exc).split()))
    try:
        ((run_id,),) = con.execute("SELECT run_id FROM paperhouse_snapshot").fetchall()
        results = run_audits(con, include_views=views)
    finally:
        con.close()
    for result in results:
        _print_result(result)
    failed = failures(results)
    seconds = sum(r.seconds for r in results)
    out.print(
        f"{len(results)} audits on snapshot {run_id}: {len(results) - len(failed)} passed, "
        f"{len(failed)} failed ({seconds:.2f} s of queries)",
        markup=False, highlight=False, soft_wrap=True,
    )
    if failed:
        plural = "s" if len(failed) != 1 else ""
        fail(f"{len(failed)} data test{plural} failed: {', '.join(r.name for r in failed)}")


def _print_result(result: Any) -> None:
    if result.passed:
        out.print(f"[green]PASS[/green]  {result.name}", highlight=False)
        return
    from rich.padding import Padding
    from rich.text import Text

    def indented(text: str) -> Padding:
        return Padding(Text(text), (0, 0, 0, DETAIL_INDENT))

    if result.error is not None:
        out.print(f"[red]FAIL[/red]  {result.name}: the audit could not run", highlight=False)
        out.print(indented(result.error))
        return
    rows = "row" if result.failing_rows == 1 else "rows"
    out.print(f"[red]FAIL[/red]  {result.name}: {result.failing_rows} offending {rows}", highlight=False)
    out.print(indented(f"checks: {result.audit.checks}"))
    out.print(indented(f"source: {result.audit.source}"))
    out.print(_sample_table(result), markup=False)


def _sample_table(result: Any) -> Any:
    from rich.padding import Padding
    from rich.table import Table

    shown = len(result.sample)
    table = Table(
        caption=f"first {shown} of {result.failing_rows}" if shown < result.failing_rows else None,
        caption_justify="left",
    )
    for column in result.columns:
        table.add_column(column, no_wrap=True, overflow="ellipsis", max_width=SAMPLE_CELL_WIDTH)
    for row in result.sample:
        table.add_row(*("NULL" if v is None else str(v) for v in row))
    return Padding(table, (0, 0, 0, DETAIL_INDENT))
