"""What every command shares: the consoles, the one-line error, the data home.

The data home travels in Typer's context (``ctx.obj``), set once by the
top-level callback, so no command reads module state and tests can run the
app twice in one process with two homes.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from warehouse.layout import Layout

#: Messages are never wrapped by us (soft_wrap): a path or a one-line error stays one
#: line whatever the width, for the terminal to wrap and for grep to find whole.
#: Tables still fit the width.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    err.print(f"error: {message}", style="bold red", highlight=False, soft_wrap=True, markup=False)
    raise typer.Exit(code)


def layout_of(ctx: typer.Context) -> Layout:
    """The data home chosen by ``--home`` / ``$PAPERHOUSE_HOME`` for this invocation."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Layout):
        obj = Layout.at(None)
        ctx.find_root().obj = obj
    return obj
