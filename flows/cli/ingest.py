"""``paperhouse ingest``: run the ingest flow once.

Everything that can refuse the run is checked before paying for Prefect
(about a second of imports, plus seconds of server start-up when no server
is running): arguments, sources (a directory with no listing files is an
error), and the warehouse's writer lock, which the command then holds for
the whole run (``IngestOptions.lock_held`` tells the flow not to take it
again: a flock belongs to an open file, so it would wait for itself).

The Prefect API is chosen up front (see flows/prefect_server.py): an explicit
``PREFECT_API_URL``, else the server ``paperhouse server`` recorded for this
home, else a temporary server of our own that dies with this process.
SIGTERM and Ctrl-C end the run with one line and exit 143 / 130, after the
temporary server is stopped.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from flows.cli.common import err, fail, layout_of, out
from flows.options import DEFAULT_HTTP_TIMEOUT, DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_REJECT_SHARE
from warehouse.layout import Layout

if TYPE_CHECKING:
    from flows.options import IngestOptions

#: What the one-line note about the temporary server says it costs (measured: 5-7 s warm).
TEMPORARY_SERVER_COST = "about 6 s"
#: The last line on SIGTERM / Ctrl-C.
ENDED_BY = {
    "SIGTERM": "terminated (SIGTERM): stopped; the warehouse keeps its last complete snapshot",
    "SIGINT": "interrupted (Ctrl-C): stopped; the warehouse keeps its last complete snapshot",
}


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(help="Listing files, directories, URLs or .urls list files (default: HOME/inbox)."),
    ] = None,
    captured_on: Annotated[
        Optional[str], typer.Option(help="Capture date YYYY-MM-DD for yearless dates (default: file mtime).")
    ] = None,
    max_reject_share: Annotated[
        float, typer.Option(help="Fail and publish nothing if more than this share of newly read lines is rejected.")
    ] = DEFAULT_MAX_REJECT_SHARE,
    wait: Annotated[float, typer.Option(help="Seconds to wait for another running ingest.")] = 0.0,
    overrides: Annotated[
        Optional[Path], typer.Option(help="Author merge/split CSV (default: HOME/overrides/authors.csv if present).")
    ] = None,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Re-read and re-parse every known source, ignoring caches.")
    ] = False,
    http_timeout: Annotated[
        float, typer.Option(help="Seconds one HTTP request may take in all (connect, headers, body).")
    ] = DEFAULT_HTTP_TIMEOUT,
    max_download_bytes: Annotated[
        int, typer.Option(help="Refuse a URL whose body is larger than this many bytes.")
    ] = DEFAULT_MAX_DOWNLOAD_BYTES,
    dask_address: Annotated[
        Optional[str], typer.Option(help="Parse on this Dask scheduler (tcp://host:8786); dedupe stays local.")
    ] = None,
    workers: Annotated[
        Optional[int], typer.Option(help="Parse on a local Dask cluster of this many worker processes.")
    ] = None,
    accept_shrink: Annotated[
        bool, typer.Option("--accept-shrink", help="Believe a known source that now holds far fewer records.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs in the terminal.")] = False,
) -> None:
    """Run the ingest flow once and publish a new snapshot if the input changed."""
    started = time.perf_counter()
    layout = layout_of(ctx)
    if dask_address and workers:
        fail("give --dask-address or --workers, not both", code=2)
    captured = _parse_date(captured_on) if captured_on else None
    if not paths and not layout.inbox.is_dir():
        fail(f"no paths given and no inbox at {layout.inbox}")
    if overrides is not None and not overrides.is_file():
        fail(f"no such overrides file: {overrides}")

    from flows.extract import SourceError
    from warehouse.lock import WarehouseBusy, writer_lock

    try:
        sources = checked_sources(paths or [str(layout.inbox)])
    except SourceError as exc:
        fail(str(exc))
    from flows.options import IngestOptions

    options = IngestOptions(
        paths=sources, captured_on=captured, max_reject_share=max_reject_share, lock_timeout=wait,
        overrides=str(overrides.resolve()) if overrides else None, full_refresh=full_refresh,
        http_timeout=http_timeout, max_download_bytes=max_download_bytes, accept_shrink=accept_shrink,
        lock_held=True,  # this process holds it (below) for the whole run: the flow must not take it again
    )
    with _ended_by_signals():
        try:
            # Taken before Prefect starts: a busy home is refused in well under a second.
            with writer_lock(layout.lock, timeout=wait):
                summary = _run_flow(layout, options, dask_address, workers, verbose)
        except WarehouseBusy as exc:
            fail(str(exc))
    from flows.render import key_value_table
    from flows.summary import summary_rows, verdict

    summary = {**summary, "command_seconds": round(time.perf_counter() - started, 3)}
    table = key_value_table(f"ingest: {verdict(summary)}", summary_rows(summary))
    table.columns[-1].overflow = "fold"  # paths are shown whole, folded, never cut with an ellipsis
    out.print(table)


def checked_sources(arguments: list[str]) -> list[str]:
    """The arguments with local paths made absolute; raises SourceError for a
    path that does not exist or a directory that holds no listing file.

    Without this check an empty directory reached the flow, which then carried
    the home's known sources forward and said "inputs unchanged" (exit 0).
    """
    from flows.extract import IGNORED_PREFIXES, SourceError, expand_paths, is_url

    checked: list[str] = []
    for argument in arguments:
        if is_url(argument):
            checked.append(argument)
            continue
        found = expand_paths([argument])
        path = Path(argument).expanduser().resolve()
        if path.is_dir() and not found:
            skipped = ", ".join(repr(p) for p in IGNORED_PREFIXES)
            raise SourceError(
                f"no listing files in {argument} (it is empty, or every name starts with {skipped})"
            )
        checked.append(str(path))
    return checked


def _run_flow(
    layout: Layout, options: IngestOptions, dask_address: str | None, workers: int | None, verbose: bool
) -> dict[str, Any]:
    """Choose (or start) the Prefect API, then run the flow; the temporary server is
    stopped by PID whatever happens."""
    from flows.prefect_server import (
        ServerUnavailable, TemporaryServer, choose_api, drain_prefect_clients, is_healthy, use_api,
    )
    from flows.settings import configure_prefect

    configure_prefect(layout, verbose=verbose)
    choice = choose_api(layout)
    temporary: TemporaryServer | None = None
    try:
        if choice.url is None:
            err.print(
                f"note: no Prefect server is running for this home, so this run starts a temporary one "
                f"({TEMPORARY_SERVER_COST}); `paperhouse --home {layout.home} server` in another terminal avoids that",
                markup=False, highlight=False, soft_wrap=True, style="dim",
            )
            # Spawned before Prefect is imported: it starts while we import (2 cores).
            temporary = TemporaryServer(layout).start()
            use_api(temporary.url)  # before the import: Prefect reads its settings then
        elif not choice.verified and not is_healthy(choice.url):
            fail(f"the Prefect API at {choice.url} ({choice.origin}) does not answer")
        else:
            use_api(choice.url)
        flow = _flow_for(dask_address, workers)  # imports Prefect, Polars, the pipeline
        if temporary is not None:
            with err.status("starting a temporary Prefect server...", spinner="dots"):
                temporary.wait_ready()
        return _call_flow(flow, layout, options, distributed=bool(dask_address or workers), verbose=verbose)
    except ServerUnavailable as exc:
        fail(str(exc))
    finally:
        with _signals_ignored():  # a second SIGTERM must not skip stopping the server
            drain_prefect_clients()
            if temporary is not None:
                temporary.stop()


def _flow_for(dask_address: str | None, workers: int | None) -> Any:
    from flows.ingest import ingest_flow

    if dask_address or workers:
        from flows.distributed import dask_ingest_flow

        return dask_ingest_flow(dask_address, workers)
    return ingest_flow


def _call_flow(flow: Any, layout: Layout, options: IngestOptions, *, distributed: bool, verbose: bool) -> dict[str, Any]:
    """Run the flow; its known failures become one line."""
    from flows.extract import SourceError
    from flows.fetch import FetchError
    from flows.ingest import FormatAlarm, ShrinkRefused
    from flows.overrides import OverrideFileError
    from transforms.authors import OverrideError
    from warehouse.audits import AuditsFailed
    from warehouse.lock import WarehouseBusy

    try:
        with _terminal_progress():
            return flow(home=str(layout.home), options=options, distributed=distributed)
    except (SourceError, FormatAlarm, ShrinkRefused, WarehouseBusy, OverrideError, OverrideFileError, AuditsFailed,
            FetchError, OSError) as exc:
        fail(str(exc))
    except Exception as exc:  # anything else: one line, details with --verbose
        if verbose:
            raise
        fail(f"ingest failed: {type(exc).__name__}: {' '.join(str(exc).split())} (rerun with --verbose for details)")


@contextmanager
def _terminal_progress() -> Iterator[None]:
    """The flow's stages (flows.progress) drawn by the rich reporter, on a terminal only.

    In a pipe or a file rich would print the final frame of every stage, and
    a caller reading stderr there expects errors only: one line on failure.
    """
    from flows import progress
    from flows.cli.progress_display import RichReporter

    if not err.is_terminal:
        yield
        return
    with RichReporter(err) as reporter:
        progress.install(reporter)
        try:
            yield
        finally:
            progress.install(None)


@contextmanager
def _ended_by_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM (ours, or Prefect's TerminationSignal inside the flow) end
    the command with one line and exit 130 / 143."""
    from flows.termination import EXIT_SIGINT, EXIT_SIGTERM, is_termination

    try:
        yield
    except KeyboardInterrupt:
        _last_line(ENDED_BY["SIGINT"])
        raise typer.Exit(EXIT_SIGINT) from None
    except BaseException as exc:
        if is_termination(exc):
            _last_line(ENDED_BY["SIGTERM"])
            raise typer.Exit(EXIT_SIGTERM) from None
        raise


def _last_line(message: str) -> None:
    err.print(f"error: {message}", style="bold red", highlight=False, soft_wrap=True, markup=False)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """Clean-up runs to the end: SIGINT/SIGTERM are ignored meanwhile (SIGKILL still
    works, and the temporary server dies with us then)."""
    if threading.current_thread() is not threading.main_thread():  # handlers belong to the main thread
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        fail(f"--captured-on must be YYYY-MM-DD, got {value!r}", code=2)
        raise
