"""The paperhouse command line.

Errors are one line on stderr and a non-zero exit, never a traceback: the
known failure types are caught at the edge and their message printed.  Each
group of commands lives in its own module; this one only assembles them.
SIGTERM is turned into an exception for every command, so clean-up code runs
as it does for Ctrl-C; a command that is stopped ends with one line and 143.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli import bi, data, ingest, ops, query
from flows.cli.common import err
from warehouse.layout import Layout

HELP = "paperhouse: researcher-profile paper listings -> Parquet + DuckDB warehouse."
DISTRIBUTION = "paperhouse"

app = typer.Typer(
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish, PowerShell)
    no_args_is_help=True,
    help=HELP,
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"paperhouse {_version()}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Optional[Path],
        typer.Option("--home", help="Data home (default: $PAPERHOUSE_HOME or ./data).", show_default=False),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
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
app.command()(ops.deploy)
app.command()(data.describe)
app.command()(data.check)


def main() -> None:
    """Console-script entry point."""
    from flows.termination import EXIT_SIGTERM, Terminated, sigterm_raises

    try:
        with sigterm_raises():
            app()
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        sys.exit(130)
    except Terminated:
        err.print("error: terminated (SIGTERM)", style="bold red", markup=False, highlight=False)
        sys.exit(EXIT_SIGTERM)
