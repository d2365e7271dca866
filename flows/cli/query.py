"""``paperhouse sql`` and ``paperhouse status``: reading the warehouse.

Every failure is one ``error: ...`` line and a non-zero exit: a refused
statement, DuckDB's own error (kept whole, hint and caret included, see
``warehouse.query.one_line``), the time limit, Ctrl-C (exit 130), a damaged
snapshot.  ``| head`` closing the pipe early is not an error.
"""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from flows.cli.common import fail, layout_of, out

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
EXIT_INTERRUPTED = 130
#: Byte-order marks a --file may start with, and how to decode what follows.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sql(
    ctx: typer.Context,
    query: Annotated[Optional[str], typer.Argument(help="SQL to run: one read-only statement.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json (any case).")] = "table",
    file: Annotated[Optional[Path], typer.Option("--file", help="Read the SQL from a file (UTF-8, or UTF-16/32 with a BOM).")] = None,
    snapshot: Annotated[Optional[str], typer.Option(help="Query an older snapshot by run id (its files are sha256-checked first).")] = None,
    timeout: Annotated[float, typer.Option(help="Stop the query after SECONDS, fetching and printing included; 0: no limit.")] = 300.0,
    max_rows: Annotated[int, typer.Option("--max-rows", help="Rows the table format shows at most (csv/json print all).")] = 1000,
    memory_limit: Annotated[str, typer.Option("--memory-limit", help="DuckDB memory_limit for the query; beyond it DuckDB spills to the temp dir.")] = "2GiB",
) -> None:
    """Run one read-only SQL statement over the warehouse views."""
    import duckdb
    import pyarrow as pa

    from flows.render import FORMATS, RenderError, render
    from warehouse.catalog import CatalogError
    from warehouse.query import (
        Limits, QueryInterrupted, QueryRefused, QueryTimeout, ResultTooLarge, WarehouseMissing, one_line,
        open_readonly, sigint_interrupts, stream_query,
    )
    from warehouse.verify import ManifestError, SnapshotDamaged

    fmt = fmt.lower()
    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}: use table, csv or json", code=2)
    if timeout < 0:
        fail("--timeout must be 0 (no limit) or more seconds", code=2)
    if max_rows < 1:
        fail("--max-rows must be at least 1", code=2)
    if (query is None) == (file is None):
        fail("give the SQL either as an argument or with --file", code=2)
    text = query if query is not None else read_sql_file(file)
    limits = Limits(memory_limit=memory_limit)
    try:
        con = open_readonly(layout_of(ctx), snapshot, verify="auto", limits=limits)
    except (WarehouseMissing, ManifestError, SnapshotDamaged, CatalogError) as exc:
        fail(str(exc))
    except duckdb.Error as exc:  # e.g. a --memory-limit DuckDB does not understand
        fail(one_line(str(exc)))
    except KeyboardInterrupt:
        fail("interrupted", code=EXIT_INTERRUPTED)
    with sigint_interrupts(con) as ctrl_c:
        try:
            with stream_query(con, text, timeout=timeout) as stream:
                render(stream, fmt, out, max_rows)
                out.file.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
        except (QueryRefused, QueryTimeout, ResultTooLarge, RenderError) as exc:
            fail(str(exc))
        except (QueryInterrupted, KeyboardInterrupt):
            fail("interrupted", code=EXIT_INTERRUPTED)
        except (duckdb.Error, pa.ArrowException, OSError) as exc:  # Arrow re-raises DuckDB's errors mid-stream
            if ctrl_c.is_set():
                fail("interrupted", code=EXIT_INTERRUPTED)
            fail(one_line(str(exc)) or type(exc).__name__)
        finally:
            con.close()
        if ctrl_c.is_set():  # pressed after the last row: the output is complete, but the user asked to stop
            fail("interrupted", code=EXIT_INTERRUPTED)


def read_sql_file(path: Path | None) -> str:
    """The text of a --file: UTF-8, or any Unicode encoding announced by a BOM; else one line."""
    assert path is not None
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                fail(f"cannot read {path}: it starts with a {encoding} byte-order mark but is not {encoding}")
    if b"\x00" in data:
        fail(f"cannot read {path}: it holds NUL bytes (it looks like UTF-16 without a byte-order mark); save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"cannot read {path}: not UTF-8 text at byte {exc.start}; save it as UTF-8")
    raise AssertionError("unreachable")


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``): stop quietly, as command-line tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. a test runner's buffer)
        pass
    raise typer.Exit(0)


def status(
    ctx: typer.Context,
    verify: Annotated[
        bool, typer.Option("--verify", help="Check every file's sha256 against the manifest and the catalog's views against sql/; exit 1 naming each difference.")
    ] = False,
    snapshot: Annotated[Optional[str], typer.Option(help="Show or verify this snapshot instead of the current one.")] = None,
) -> None:
    """Show the current snapshot, its table counts and rejects, and older snapshots."""
    from rich.text import Text

    from flows.render import key_value_table, quality_rows
    from warehouse.query import WarehouseMissing, resolve_run_id

    layout = layout_of(ctx)
    try:
        run_id = resolve_run_id(layout, snapshot)
    except WarehouseMissing as exc:
        fail(str(exc))
    if verify:
        _verify(layout, run_id)
        return
    from warehouse.verify import ManifestError, read_manifest, verify_snapshot

    current = layout.current_run_id()
    history = _history(layout, current)
    try:
        manifest = read_manifest(layout.snapshot(run_id))
    except ManifestError as exc:
        out.print(history)
        fail(f"{exc} (`paperhouse status --verify` checks the rest)")
    problems = verify_snapshot(layout, run_id, deep=False)
    files = "match the manifest (sizes, row counts, Parquet footers; --verify adds sha256)" if not problems else (
        "DIFFER from the manifest: " + "; ".join(str(p) for p in problems) + " (run --verify)")
    label = "current snapshot" if run_id == current else "snapshot"
    catalog, catalog_note = _catalog_line(layout, run_id) if not problems else (
        "not checked: the snapshot's files differ from its manifest", None)
    out.print(key_value_table("paperhouse status", [
        ("home", layout.home),
        (label, f"{run_id} (created {manifest['created_at']})"),
        ("sources", len(manifest.get("sources", []))),
        *[(name, f"{meta['rows']:,} rows") for name, meta in manifest["tables"].items()],
        *quality_rows(manifest.get("quality", {})),
        ("files", files),
        ("catalog", catalog),
    ]))
    if catalog_note:  # one unwrapped line, so it reads (and greps) whole at any width
        out.print(Text(f"note: catalog {catalog_note}"), soft_wrap=True)
    out.print(history)
    if problems:
        raise typer.Exit(1)


def _catalog_line(layout, run_id: str) -> tuple[str, str | None]:
    """The catalog file's full path, rebuilt first if it was stale or damaged; and then
    a note saying why."""
    from warehouse.catalog import CATALOG_FILE, CatalogError, ensure_catalog

    path = layout.catalog if run_id == layout.current_run_id() else layout.snapshot(run_id) / CATALOG_FILE
    try:
        differences = ensure_catalog(layout.snapshot(run_id), run_id)
    except (OSError, CatalogError) as exc:
        return f"{path} (stale or damaged: see the note)", f"cannot be rebuilt: {' '.join(str(exc).split())}"
    if differences:
        return f"{path} (rebuilt: see the note)", f"rebuilt from sql/: it was {'; '.join(map(str, differences))}"
    return f"{path} (views match sql/)", None


def _history(layout, current: str | None) -> Any:
    """Every snapshot directory, oldest first; a broken manifest is a row saying so, not a crash."""
    from rich.table import Table
    from rich.text import Text

    from warehouse.verify import MANIFEST, ManifestError, read_manifest

    rows = []
    if layout.snapshots.is_dir():
        for path in layout.snapshots.iterdir():
            if path.name.startswith(".") or not path.is_dir() or not (path / MANIFEST).exists():
                continue
            try:
                manifest = read_manifest(path)
            except ManifestError as exc:
                rows.append(("", path.name, "", "", str(exc)))
                continue
            tables = manifest["tables"]
            rows.append((manifest["created_at"], path.name, str(tables["papers"]["rows"]),
                         str(tables["rejects"]["rows"]), "current" if path.name == current else ""))
    history = Table(title=Text("snapshots (oldest first)"), title_justify="left")
    for column in ("run_id", "created_at", "papers", "rejects", ""):
        history.add_column(column, overflow="fold")
    for created_at, run_id, papers, rejects, note in sorted(rows):
        history.add_row(Text(run_id), Text(created_at), Text(papers), Text(rejects), Text(note))
    return history


def _verify(layout, run_id: str) -> None:
    """``status --verify``: sha256 of every file, then the catalog's views; exit 1 naming each difference.

    A catalog built for the place the home was moved or copied from is not
    damage: it is rebuilt (it is derived data) and noted, then checked.
    """
    from rich.text import Text

    from warehouse.catalog import CATALOG_FILE, CatalogError, catalog_differences, ensure_catalog
    from warehouse.verify import Problem, verify_catalog, verify_snapshot

    problems = verify_snapshot(layout, run_id, deep=True)
    if problems:  # the catalog is built from these files: comparing it would only repeat them
        for problem in problems:
            out.print(Text(f"differs: {problem}"))
        fail(f"snapshot {run_id}: {len(problems)} difference(s) from its manifest (the catalog was not checked)")
    snapshot_dir = layout.snapshot(run_id).resolve()
    differences = catalog_differences(snapshot_dir / CATALOG_FILE, snapshot_dir, run_id)
    if differences and all(d.moved for d in differences):
        try:
            ensure_catalog(snapshot_dir, run_id)
            out.print(Text(f"note: rebuilt {CATALOG_FILE}: it was {differences[0]}"))
        except (OSError, CatalogError) as exc:
            problems.append(Problem(CATALOG_FILE, f"{differences[0]}; cannot rebuild it: {exc}"))
    problems += verify_catalog(layout, run_id)
    for problem in problems:
        out.print(Text(f"differs: {problem}"))
    if problems:
        fail(f"snapshot {run_id}: {len(problems)} difference(s) between its catalog and sql/")
    out.print(Text(f"ok: snapshot {run_id}: every file's sha256 matches its manifest and the catalog's views match sql/"))
