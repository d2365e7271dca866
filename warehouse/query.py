"""Read-only analyst SQL over the current snapshot or any older one.

**Where the views come from.**  :func:`open_readonly` never trusts a catalog
file: it opens an in-memory DuckDB, creates the views of the packaged
``sql/*.sql`` over the snapshot directory located from the data home (so a
moved or copied home reads its own files), and only then locks the
connection down.  Another client that opened ``paperhouse.duckdb`` read-write
and dropped or redefined a view changes nothing here.  Before that, when
asked (``verify=``; ``paperhouse sql`` always asks), the snapshot's files are
checked against its manifest (``warehouse.verify``): shallow for the current
snapshot (sizes + Parquet footers, cheap at any size), deep (sha256) for an
older one asked for by run id.

**What a query may do.**  Read-only mode alone does not stop a query from
writing: ``COPY ... TO`` runs on a read-only connection, and ``EXPLAIN
ANALYZE`` *executes* the statement it explains.  So a query gets four locks:

1. exactly one statement, of a reading type (SELECT, or an EXPLAIN whose
   inner statement is itself a SELECT -- checked with ``duckdb.tokenize`` and
   ``duckdb.extract_statements``, whatever the spelling);
2. the connection is in memory, so there is no database file to overwrite;
3. external access is off with only the snapshot's table files readable
   (``allowed_paths``: no new file can be created beside them), extensions
   cannot be installed or loaded;
4. the configuration is frozen (``lock_configuration``).

**What a query may cost.**  DuckDB's ``memory_limit`` and ``threads`` apply,
spilling goes to a bounded directory under the system temp dir (never the
working directory), a timer thread calls ``con.interrupt()`` after the
timeout, and results stream in Arrow batches (:func:`stream_query`) or are
fetched with a row cap (:func:`run_query`).
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from warehouse.catalog import CatalogError, populate_catalog, record_snapshot
from warehouse.layout import Layout
from warehouse.schema import TABLE_SCHEMAS
from warehouse.verify import (
    MANIFEST, ManifestError, SnapshotDamaged, check_files, read_manifest, table_files, valid_run_id,
)

#: Statement types an analyst may run (an EXPLAIN only over one of READ_STATEMENTS).
READ_STATEMENTS = frozenset({duckdb.StatementType.SELECT})
EXPLAIN = duckdb.StatementType.EXPLAIN
#: Words that may follow EXPLAIN before the explained statement.
_ANALYZE_WORDS = frozenset({"ANALYZE", "ANALYSE"})
#: Keywords that start a parenthesised query rather than an EXPLAIN option list.
_QUERY_STARTS = frozenset({"SELECT", "WITH", "FROM", "VALUES", "TABLE", "(", "PIVOT", "UNPIVOT", "SUMMARIZE", "DESCRIBE", "SHOW"})

#: Default cap on a query's wall time (seconds), fetching included; 0 disables it.
DEFAULT_TIMEOUT_S = 300.0
#: DuckDB memory_limit on analyst connections (spills to disk beyond it).
DEFAULT_MEMORY_LIMIT = "2GiB"
#: At most this much spill space on disk per connection.
DEFAULT_MAX_TEMP = "8GiB"
#: Threads per analyst connection: enough to be quick, never the whole machine beyond this.
DEFAULT_MAX_THREADS = 4
#: Name of the thread that interrupts a query at its time limit (it exists while a query runs).
TIMER_THREAD = "paperhouse-query-timer"
#: Rows an Arrow batch of a streamed result holds.
STREAM_BATCH_ROWS = 64 * 1024
#: Rows per fetch when run_query materialises a result.
FETCH_ROWS = 10_000
#: run_query materialises at most this many rows (it is for small results: reports, audits, tests).
DEFAULT_MAX_ROWS = 1_000_000


class QueryRefused(ValueError):
    """The SQL is not one read-only query."""


class QueryTimeout(RuntimeError):
    """The query ran longer than its time limit and was interrupted."""


class QueryInterrupted(RuntimeError):
    """The query was stopped by the user (Ctrl-C)."""


class ResultTooLarge(RuntimeError):
    """A materialised result would exceed its row cap."""


class WarehouseMissing(FileNotFoundError):
    """Nothing has been published yet (or the snapshot asked for does not exist)."""


@dataclass(frozen=True)
class Limits:
    """What one analyst connection may use (the time limit is per query: ``stream_query(timeout=)``)."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT
    #: None: the machine's cores, at most DEFAULT_MAX_THREADS.
    threads: int | None = None
    max_temp_directory_size: str = DEFAULT_MAX_TEMP


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


@dataclass
class Stream:
    """A running query: its columns and types, and its result as Arrow batches."""

    columns: list[str]
    types: list[str]
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


# --- which statements may run --------------------------------------------------------------


def _words(sql: str) -> list[tuple[int, str, bool]]:
    """(offset, upper-cased text, is an operator) of every token that is not a comment."""
    tokens = duckdb.tokenize(sql)
    found = []
    for index, (offset, kind) in enumerate(tokens):
        if kind == duckdb.token_type.comment:
            continue
        end = tokens[index + 1][0] if index + 1 < len(tokens) else len(sql)
        found.append((offset, sql[offset:end].strip().upper(), kind == duckdb.token_type.operator))
    return found


def explained_statement(sql: str) -> str:
    """The statement an EXPLAIN statement explains (``EXPLAIN [ANALYZE|ANALYSE] [(options)] <stmt>``).

    Comments and case do not matter: the text is tokenized by DuckDB itself.
    A parenthesis is an option list unless a query starts inside it; if that
    guess were ever wrong the inner text would fail to parse as one SELECT and
    be refused, never let through.
    """
    words = _words(sql)
    if not words or words[0][1] != "EXPLAIN":
        raise QueryRefused("cannot find the statement this EXPLAIN explains")
    position = 1
    if position < len(words) and words[position][1] in _ANALYZE_WORDS:
        position += 1
    if (
        position + 1 < len(words)
        and words[position][1] == "("
        and words[position + 1][1] not in _QUERY_STARTS
    ):  # an option list: (ANALYZE, FORMAT json)
        depth = 0
        while position < len(words):
            _, word, is_operator = words[position]
            if is_operator:
                depth += word.count("(") - word.count(")")
            position += 1
            if depth <= 0:
                break
    if position >= len(words):
        raise QueryRefused("EXPLAIN of nothing")
    return sql[words[position][0]:]


def check_read_only(sql: str) -> duckdb.Statement:
    """Parse ``sql``: exactly one statement, reading only (QueryRefused otherwise, one line)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(one_line(str(exc))) from exc
    if not statements:
        raise QueryRefused("no SQL statement given")
    if len(statements) > 1:
        raise QueryRefused(f"give one statement at a time (got {len(statements)}; run them one by one)")
    (statement,) = statements
    _check_type(statement)
    return statement


def _check_type(statement: duckdb.Statement) -> None:
    if statement.type in READ_STATEMENTS:
        return
    if statement.type == EXPLAIN:
        inner_sql = explained_statement(statement.query)
        try:
            inner = duckdb.extract_statements(inner_sql)
        except duckdb.Error as exc:
            raise QueryRefused(f"cannot read the statement EXPLAIN explains: {one_line(str(exc))}") from exc
        if len(inner) != 1 or inner[0].type not in READ_STATEMENTS:
            kinds = ", ".join(s.type.name for s in inner) or "nothing"
            raise QueryRefused(f"only read-only queries are allowed (got EXPLAIN over a statement of type {kinds})")
        return
    if statement.type == duckdb.StatementType.MULTI:  # what a PIVOT without an IN list expands to
        raise QueryRefused("only read-only queries are allowed (a PIVOT needs an explicit list: ON col IN (...))")
    raise QueryRefused(f"only read-only queries are allowed (got a statement of type {statement.type.name})")


def one_line(message: str) -> str:
    """DuckDB's whole error message on one line, hint and caret included.

    DuckDB puts a hint (``Did you mean "papers"?``, candidate columns) and, for
    syntax errors, a ``LINE 1: ...`` excerpt with a ``^^^`` caret under it on
    separate lines.  The caret becomes ``>>>...<<<`` around the text it
    marks, so nothing is lost and the error stays one line.
    """
    lines = message.replace("\r\n", "\n").split("\n")
    parts: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.startswith("LINE ") and following.strip() and set(following.strip()) == {"^"}:
            start = len(following) - len(following.lstrip())
            end = len(following.rstrip())
            padded = line.ljust(end)
            line = f"{padded[:start]}>>>{padded[start:end]}<<<{padded[end:]}".rstrip()
            index += 1
        if line.strip():
            parts.append(line.strip())
        index += 1
    return " ".join(" ".join(parts).split()) or message.strip()


# --- opening a snapshot ---------------------------------------------------------------------


def resolve_run_id(layout: Layout, snapshot: str | None) -> str:
    """The run id to read: ``snapshot`` (validated) or the one ``current`` points at."""
    if snapshot is None:
        run_id = layout.current_run_id()
        if run_id is None or not (layout.snapshot(run_id) / MANIFEST).exists():
            raise WarehouseMissing(f"no warehouse at {layout.home}: run `paperhouse ingest` first")
        return run_id
    if not valid_run_id(snapshot) or not layout.snapshot(snapshot).is_dir():
        raise WarehouseMissing(f"no snapshot {snapshot!r} under {layout.snapshots}")
    if not (layout.snapshot(snapshot) / MANIFEST).exists():
        raise WarehouseMissing(f"snapshot {snapshot!r} is incomplete (no manifest): it was never published")
    return snapshot


def open_readonly(
    layout: Layout,
    snapshot: str | None = None,
    *,
    verify: Literal["none", "auto", "deep", "shallow"] = "none",
    limits: Limits | None = None,
) -> duckdb.DuckDBPyConnection:
    """A locked-down, in-memory connection with the views over the current snapshot, or ``snapshot``.

    ``verify`` checks the snapshot's files against its manifest first
    (SnapshotDamaged / ManifestError, one line, otherwise): ``"auto"`` --
    what ``paperhouse sql`` uses -- shallowly for the current snapshot and
    deeply (sha256) for one asked for by run id; ``"deep"`` / ``"shallow"``
    force a depth.  The default ``"none"`` leaves checking to the caller
    (``bi/`` runs its own deep check today, with its own messages).
    """
    if verify not in ("none", "auto", "deep", "shallow"):
        raise ValueError(f"verify must be none, auto, deep or shallow, not {verify!r}")
    run_id = resolve_run_id(layout, snapshot)
    table_dir = layout.snapshot(run_id)
    if verify == "none":
        files = [table_dir / f"{name}.parquet" for name in TABLE_SCHEMAS]
    else:
        manifest = read_manifest(table_dir)
        deep = verify == "deep" or (verify == "auto" and snapshot is not None)
        problems = check_files(table_dir, manifest, deep=deep)
        if problems:
            raise SnapshotDamaged(run_id, problems)
        files = table_files(table_dir, manifest)
    limits = limits or Limits()
    con = duckdb.connect(":memory:", config=_connection_config(limits))
    try:
        try:
            populate_catalog(con, table_dir, run_id)
        except CatalogError:
            if verify != "none" or not _damaged(table_dir):
                raise  # sql/ does not build over intact files: a real incompatibility, say so
            # the caller checks the files itself (bi/ does, with its own messages): give it the
            # snapshot's record to check against, and no view over the damaged files
            con.close()
            con = duckdb.connect(":memory:", config=_connection_config(limits))
            record_snapshot(con, table_dir, run_id)
        lock_down(con, files=files)
    except BaseException:
        con.close()
        raise
    return con


def _damaged(table_dir: Path) -> bool:
    """Whether the snapshot's manifest is unreadable or its files differ from it (shallow check)."""
    try:
        return bool(check_files(table_dir, read_manifest(table_dir), deep=False))
    except ManifestError:
        return True


def _connection_config(limits: Limits) -> dict[str, Any]:
    return {
        "memory_limit": limits.memory_limit,
        "threads": limits.threads or max(1, min(DEFAULT_MAX_THREADS, os.cpu_count() or 1)),
        "max_temp_directory_size": limits.max_temp_directory_size,
        # spill under the system temp dir, never `.tmp` in the working directory
        "temp_directory": str(Path(tempfile.gettempdir()) / f"paperhouse-duckdb-{os.getpid()}"),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


def lock_down(
    con: duckdb.DuckDBPyConnection, readable_dir: Path | None = None, *, files: list[Path] | None = None
) -> None:
    """Allow reading ``files`` (or everything under ``readable_dir``) only, no extensions; freeze settings."""
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET enable_progress_bar = false")  # it would print into a CSV on stdout
    if files is not None:
        con.execute("SET allowed_paths = ?", [[str(p) for p in files]])
    if readable_dir is not None:
        con.execute("SET allowed_directories = ?", [[str(readable_dir) + "/"]])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


# --- running a query ------------------------------------------------------------------------


class _Watch:
    """Interrupts ``con`` when the time limit passes or the user presses Ctrl-C; says which."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timeout: float | None) -> None:
        self.con = con
        self.timeout = timeout if timeout and timeout > 0 else None
        self.timed_out = threading.Event()
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        if self.timeout is not None:
            self._timer = threading.Timer(self.timeout, self._expire)
            self._timer.name = TIMER_THREAD
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        self.timed_out.set()
        self.con.interrupt()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def translate(self, exc: BaseException) -> BaseException:
        """The error to report for ``exc`` raised while the query ran."""
        if self.timed_out.is_set():
            return QueryTimeout(f"query stopped after the {self.timeout:g} s time limit (--timeout)")
        if isinstance(exc, KeyboardInterrupt) or (
            isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
        ):
            return QueryInterrupted("interrupted")
        return exc


@contextmanager
def _watched(con: duckdb.DuckDBPyConnection, timeout: float | None) -> Iterator[None]:
    """The time limit and Ctrl-C over the block; what they cut short comes out as
    QueryTimeout / QueryInterrupted, any other error as itself."""
    watch = _Watch(con, timeout)
    watch.start()
    try:
        yield
    except (duckdb.Error, OSError, RuntimeError, KeyboardInterrupt) as exc:
        translated = watch.translate(exc)
        if translated is exc:
            raise
        raise translated from exc
    finally:
        watch.stop()


@contextmanager
def sigint_interrupts(con: duckdb.DuckDBPyConnection) -> Iterator[threading.Event]:
    """While inside, Ctrl-C interrupts ``con``'s query; yields an event telling whether it did.

    DuckDB notices a pending KeyboardInterrupt only when Python's own SIGINT
    handler is the one installed (a library may have replaced it), and a
    KeyboardInterrupt raised between two Arrow batches lands anywhere; a
    handler that calls ``con.interrupt()`` works in every case.  Only the main
    thread can install it; a SIGINT that was ignored (a background job) stays
    ignored.
    """
    fired = threading.Event()
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield fired
        return

    def handler(signum: int, frame: object) -> None:
        fired.set()
        con.interrupt()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield fired
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def stream_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    batch_rows: int = STREAM_BATCH_ROWS,
) -> Iterator[Stream]:
    """Run one read-only statement; yields its result as a stream of Arrow batches.

    The time limit covers the whole ``with`` block (fetching included).  Errors
    raised inside the block because of the limit or a Ctrl-C come out as
    QueryTimeout / QueryInterrupted.
    """
    statement = check_read_only(sql)
    with _watched(con, timeout):
        relation = con.sql(statement.query)
        if relation is None:  # not reachable for SELECT/EXPLAIN, but never yield nothing silently
            raise QueryRefused("the statement returned no result")
        reader = relation.to_arrow_reader(batch_rows)
        yield Stream(
            columns=list(relation.columns),
            types=[str(t) for t in relation.types],
            schema=reader.schema,
            batches=iter(reader),
        )


def run_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> QueryResult:
    """Run one read-only statement and return its rows (at most ``max_rows``, else ResultTooLarge).

    Rows come from DuckDB's own fetch, so values have DuckDB's Python types
    (HUGEINT sums are ints, not Decimals).
    """
    statement = check_read_only(sql)
    with _watched(con, timeout):
        cursor = con.execute(statement.query)
        description = cursor.description or []
        columns, types = [d[0] for d in description], [str(d[1]) for d in description]
        rows: list[tuple[Any, ...]] = []
        while chunk := cursor.fetchmany(FETCH_ROWS):
            rows.extend(chunk)
            if len(rows) > max_rows:
                raise ResultTooLarge(
                    f"the result has more than {max_rows:,} rows: add a LIMIT or stream it (--format csv/json)"
                )
    return QueryResult(columns=columns, types=types, rows=rows)
