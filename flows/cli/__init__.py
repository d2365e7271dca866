"""The ``paperhouse`` command line.

Errors are one line on stderr and a non-zero exit, never a traceback: the
known failure types are caught at the edge and their message printed.  Each
group of commands lives in its own module; this one only assembles them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli import bi, data, ingest, ops, query
from flows.cli.common import err
from warehouse.layout import Layout

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="paperhouse: researcher-profile paper listings -> Parquet + DuckDB warehouse.",
)


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Optional[Path],
        typer.Option("--home", help="Data home (default: $PAPERHOUSE_HOME or ./data).", show_default=False),
    ] = None,
) -> None:
    """paperhouse: researcher-profile paper listings -> Parquet + DuckDB warehouse."""
    ctx.obj = Layout.at(home)


app.command()(ingest.ingest)
app.command()(query.sql)
app.command()(query.status)
app.command("export")(bi.export)
app.command("report")(bi.report)
app.command()(ops.prune)
app.command()(ops.server)
app.command()(ops.schedule)
app.command()(data.describe)
app.command()(data.check)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        sys.exit(130)
