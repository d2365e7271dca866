"""The DuckDB catalog: one view per table and per analysis, from ``sql/*.sql``.

A catalog holds no data, only views over one snapshot's Parquet files and a
one-row table ``paperhouse_snapshot`` (run_id, table_dir, built_at) saying
which directory they read.  There are two kinds, built by the same
:func:`populate_catalog`:

* **In memory, per connection** -- what paperhouse itself reads through
  (``warehouse.query.open_readonly``).  The views are created from the
  packaged ``sql/`` files over the snapshot directory *as located from the data
  home*, so a moved or copied home reads its own files, and nothing another
  client did to a catalog file can change an answer.
* **On disk, ``snapshots/<run_id>/paperhouse.duckdb``** -- kept for external
  DuckDB users (``duckdb -readonly data/warehouse/paperhouse.duckdb``).
  DuckDB resolves relative paths against the process's working directory,
  not the database file's folder, so these views must hold absolute paths:
  after ``mv``/``cp -a`` of a home they point at the old place.
  :func:`ensure_catalog` detects that (and a catalog whose views differ from
  ``sql/``) and rebuilds the file; ``paperhouse status`` and every ingest call
  it.

The file is built in a temporary file and renamed over the old one: DuckDB
locks a database file while a process has it open read-write, so holding the
live catalog open would lock analysts out; a replaced file leaves open readers
on the old, still-consistent snapshot.

Views declare the views they read in a ``-- depends_on:`` header and are
created in that (topological) order; a view that cannot be created is an
error, never retried.

DDL cannot take bound parameters, so the one value a view needs -- the
snapshot directory -- is substituted as a quoted string literal by
:func:`sql_string_literal`, the only place SQL text is built from a value.
"""

from __future__ import annotations

import os
import re
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import duckdb

from warehouse.dictionary import apply_comments
from warehouse.lock import pid_alive
from warehouse.schema import TABLE_SCHEMAS

PLACEHOLDER = "{{table_dir}}"
#: Files readable by the DuckDB 1.5 CLI as well as by DuckDB 2.x.
STORAGE_VERSION = "v1.5.0"
#: The catalog file inside each snapshot directory.
CATALOG_FILE = "paperhouse.duckdb"
#: The one table of a catalog that is not a view: which snapshot it reads.
SNAPSHOT_TABLE = "paperhouse_snapshot"
#: ``-- depends_on:`` value of a view that reads only Parquet files.
NO_DEPENDENCIES = "none"
#: Prefix of a catalog being rebuilt (``.paperhouse.duckdb.tmp-<pid>-<random>``).
TMP_PREFIX = f".{CATALOG_FILE}.tmp-"
#: Snapshot files are made read-only: r--r--r-- (root ignores it).
READ_ONLY_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH

_HEADER = re.compile(r"^-- (grain|depends_on): (.*)$", re.MULTILINE)
_VIEW_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogError(RuntimeError):
    """The view files are inconsistent, or a view cannot be created over a snapshot."""


@dataclass(frozen=True)
class ViewFile:
    name: str
    sql: str
    grain: str
    #: The views this view reads (declared in its ``-- depends_on:`` header).
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Difference:
    """One way a catalog file is not what ``sql/`` builds; ``moved`` only: it was built for another place."""

    text: str
    moved: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class CatalogRecord:
    """What an on-disk catalog says about itself (its ``paperhouse_snapshot`` row)."""

    run_id: str
    table_dir: str
    built_at: datetime | None


def sql_string_literal(value: str) -> str:
    """A single-quoted SQL string literal; refuses characters that have no business in a path."""
    if any(ch in value for ch in "\x00\n\r"):
        raise ValueError(f"refusing to embed control characters in SQL: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def parse_view_file(name: str, text: str) -> ViewFile:
    """One view file: its SQL and its ``-- grain:`` and ``-- depends_on:`` headers (each exactly once)."""
    headers: dict[str, list[str]] = {}
    for key, value in _HEADER.findall(text):
        headers.setdefault(key, []).append(value.strip())
    for key in ("grain", "depends_on"):
        if len(headers.get(key, [])) != 1:
            raise CatalogError(f"sql/{name}.sql must have exactly one '-- {key}:' header")
    (grain,), (declared,) = headers["grain"], headers["depends_on"]
    if not grain:
        raise CatalogError(f"sql/{name}.sql has an empty '-- grain:' header")
    if declared == NO_DEPENDENCIES:
        depends: tuple[str, ...] = ()
    else:
        depends = tuple(part.strip() for part in declared.split(","))
        if not all(_VIEW_NAME.match(part) for part in depends):
            raise CatalogError(f"sql/{name}.sql: '-- depends_on:' must list view names or say {NO_DEPENDENCIES!r}")
    return ViewFile(name, text, grain, depends)


def dependency_order(views: Iterable[ViewFile]) -> list[ViewFile]:
    """``views`` so that each comes after every view it depends on.

    Ties are broken by the old order (tables first, then analyses by name) so
    the order is the same on every machine.  An unknown dependency or a cycle
    is an error naming the views involved.
    """
    pending = {view.name: view for view in views}
    for view in pending.values():
        unknown = [d for d in view.depends_on if d not in pending]
        if unknown:
            raise CatalogError(f"view {view.name} depends on unknown view(s): {', '.join(unknown)}")
    ordered: list[ViewFile] = []
    done: set[str] = set()
    while pending:
        ready = sorted(
            (v for v in pending.values() if set(v.depends_on) <= done),
            key=lambda v: (v.name not in TABLE_SCHEMAS, v.name),
        )
        if not ready:
            raise CatalogError(f"views depend on each other in a cycle: {', '.join(sorted(pending))}")
        for view in ready:
            ordered.append(view)
            done.add(view.name)
            del pending[view.name]
    return ordered


def view_files() -> list[ViewFile]:
    """All view definitions shipped in ``sql/``: tables first, then analyses by name.

    Their declared dependencies are checked here (unknown names, cycles);
    :func:`create_views` creates them in dependency order.
    """
    found = []
    for entry in resources.files("paperhouse_sql").iterdir():
        if entry.name.endswith(".sql"):
            found.append(parse_view_file(entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    dependency_order(found)
    return sorted(found, key=lambda v: (v.name not in TABLE_SCHEMAS, v.name))


def view_sql(view: ViewFile, table_dir: Path) -> str:
    """The view's ``CREATE VIEW`` statement reading ``table_dir``."""
    return view.sql.replace(PLACEHOLDER, sql_string_literal(str(table_dir)))


def create_views(con: duckdb.DuckDBPyConnection, table_dir: Path, views: Iterable[ViewFile] | None = None) -> None:
    """Create every view against ``table_dir``, each after the views it declares it reads."""
    for view in dependency_order(views if views is not None else view_files()):
        try:
            con.execute(view_sql(view, table_dir))
        except duckdb.Error as exc:
            message = " ".join(str(exc).split())
            raise CatalogError(f"view {view.name} cannot be created over {table_dir}: {message}") from exc


def populate_catalog(
    con: duckdb.DuckDBPyConnection, table_dir: Path, run_id: str, built_at: datetime | None = None
) -> None:
    """The views of ``sql/`` over ``table_dir`` plus the ``paperhouse_snapshot`` row, on ``con``.

    The one builder for both catalogs (on disk and in memory), so they cannot
    drift apart: both carry the data dictionary's comments too.
    """
    create_views(con, table_dir)
    record_snapshot(con, table_dir, run_id, built_at)
    apply_comments(con)  # COMMENT ON every view and column, from sql/dictionary.yml


def record_snapshot(
    con: duckdb.DuckDBPyConnection, table_dir: Path, run_id: str, built_at: datetime | None = None
) -> None:
    """The one-row ``paperhouse_snapshot`` table: which snapshot, which directory, built when."""
    con.execute("CREATE TABLE paperhouse_snapshot (run_id VARCHAR, table_dir VARCHAR, built_at TIMESTAMPTZ)")
    con.execute(
        "INSERT INTO paperhouse_snapshot VALUES (?, ?, ?)",
        [run_id, str(table_dir), built_at or datetime.now(timezone.utc)],
    )


def build_catalog(catalog: Path, table_dir: Path, run_id: str) -> None:
    """Build the catalog for ``table_dir`` beside ``catalog`` and swap it in atomically."""
    tmp = catalog.with_name(f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION})
    try:
        populate_catalog(con, table_dir.resolve(), run_id)
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(tmp, catalog)


def read_catalog_record(con: duckdb.DuckDBPyConnection) -> CatalogRecord:
    """The ``paperhouse_snapshot`` row of an open catalog (CatalogError if absent or not one row)."""
    try:
        rows = con.execute("SELECT run_id, table_dir, built_at FROM paperhouse_snapshot").fetchall()
    except duckdb.Error as exc:
        raise CatalogError(f"catalog has no readable {SNAPSHOT_TABLE} table") from exc
    if len(rows) != 1:
        raise CatalogError(f"catalog's {SNAPSHOT_TABLE} table has {len(rows)} rows, not 1")
    run_id, table_dir, built_at = rows[0]
    return CatalogRecord(str(run_id), str(table_dir), built_at)


def catalog_objects(con: duckdb.DuckDBPyConnection, *, everything: bool = True) -> dict[str, tuple[str, str]]:
    """The user objects of a catalog: name -> (kind, definition SQL as DuckDB stores it).

    Views and tables always; with ``everything`` also macros, sequences and
    types (listing functions costs ~0.1 s: DuckDB enumerates its built-ins to
    find them).  Anything beyond the views of ``sql/`` and
    ``paperhouse_snapshot`` was added by someone else.
    """
    found: dict[str, tuple[str, str]] = {}
    for name, sql in con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND database_name = current_database()"
    ).fetchall():
        found[name] = ("view", sql or "")
    for name, sql in con.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE NOT internal AND database_name = current_database()"
    ).fetchall():
        found[name] = ("table", sql or "")
    if not everything:
        return found
    for name, kind in con.execute(
        "SELECT DISTINCT function_name, function_type FROM duckdb_functions() "
        "WHERE NOT internal AND database_name = current_database()"
    ).fetchall():
        found.setdefault(name, (f"{kind} function", ""))
    for (name,) in con.execute(
        "SELECT sequence_name FROM duckdb_sequences() WHERE NOT temporary AND database_name = current_database()"
    ).fetchall():
        found.setdefault(name, ("sequence", ""))
    for (name,) in con.execute(
        "SELECT type_name FROM duckdb_types() WHERE NOT internal AND database_name = current_database()"
    ).fetchall():
        found.setdefault(name, ("type", ""))
    return found


def expected_objects(table_dir: Path, run_id: str) -> dict[str, tuple[str, str]]:
    """The objects a correct catalog for ``table_dir`` has, as DuckDB would store them (views and one table)."""
    con = duckdb.connect()
    try:
        populate_catalog(con, table_dir, run_id)
        return catalog_objects(con, everything=False)
    finally:
        con.close()


def catalog_differences(catalog: Path, table_dir: Path, run_id: str, *, thorough: bool = True) -> list[Difference]:
    """How the catalog file differs from what ``sql/`` builds for ``table_dir`` (empty: it does not).

    A catalog built for another directory (the home was moved or copied) is
    reported once as such (``moved``), not view by view: its definitions are
    compared with what ``sql/`` gives for the directory it claims, so that
    tampering is told apart from a move.  Without ``thorough`` only the
    file's own record is checked (missing, unreadable, another run or
    directory: ~20 ms), not every definition (~0.1-0.3 s: the reference views
    must be bound over the snapshot's files).
    """
    if not catalog.exists():
        return [Difference("missing")]
    if catalog.is_symlink() or not catalog.is_file():
        return [Difference("not a regular file")]
    try:
        con = duckdb.connect(str(catalog), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "lock" in first.lower():
            return [Difference("open read-write by another process (a DuckDB client without -readonly?)")]
        return [Difference(f"unreadable ({first})")]
    try:
        try:
            record = read_catalog_record(con)
        except CatalogError as exc:
            return [Difference(str(exc))]
        found = catalog_objects(con) if thorough else {}
    finally:
        con.close()
    differences: list[Difference] = []
    if record.run_id != run_id:
        differences.append(Difference(f"built for snapshot {record.run_id}, not {run_id}"))
    if record.table_dir != str(table_dir):
        differences.append(Difference(f"built for {record.table_dir} (the home was moved or copied)", moved=True))
    if not thorough:
        return differences
    try:
        expected = expected_objects(Path(record.table_dir), record.run_id)
    except (CatalogError, ValueError):  # the directory it claims is gone: compare over this one
        try:
            expected = expected_objects(table_dir, run_id)
        except CatalogError as exc:
            return differences + [Difference(f"cannot be checked: sql/ does not build over the snapshot ({exc})")]
        found = {n: (k, d.replace(sql_string_literal(record.table_dir), sql_string_literal(str(table_dir))))
                 for n, (k, d) in found.items()}
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            differences.append(Difference(f"{expected[name][0]} {name} is missing"))
        elif name not in expected:
            differences.append(Difference(f"{found[name][0]} {name} is not from sql/"))
        elif name != SNAPSHOT_TABLE and found[name] != expected[name]:
            differences.append(Difference(f"{found[name][0]} {name} differs from sql/{name}.sql"))
    return differences


def make_read_only(path: Path) -> None:
    """Drop the write bits of ``path`` (a published file is never rewritten in place)."""
    os.chmod(path, READ_ONLY_MODE)


def ensure_catalog(snapshot_dir: Path, run_id: str, *, thorough: bool = True) -> list[Difference]:
    """Rebuild ``snapshot_dir``'s catalog file if it is stale or damaged; returns why (empty: it was fine).

    ``thorough`` compares every definition (``status`` does); without it only
    the file's record (an ingest does, on its hot path: a moved or copied
    home is what ordinary hands produce; a redefined view is for ``status``).
    Safe to call from any process at any time: the rebuild is a new file
    renamed over the old one, and readers of the old file keep their view of
    it.  Raises OSError when the directory cannot be written (e.g. a read-only
    copy of a home); the caller reports it.
    """
    snapshot_dir = snapshot_dir.resolve()
    catalog = snapshot_dir / CATALOG_FILE
    differences = catalog_differences(catalog, snapshot_dir, run_id, thorough=thorough)
    if differences:
        remove_dead_temporaries(snapshot_dir)
        build_catalog(catalog, snapshot_dir, run_id)
        make_read_only(catalog)
    return differences


def remove_dead_temporaries(snapshot_dir: Path) -> None:
    """Delete catalog temp files whose builder process no longer exists (a crash mid-rebuild)."""
    for path in snapshot_dir.glob(f"{TMP_PREFIX}*"):
        pid_text = path.name.removeprefix(TMP_PREFIX).split("-", 1)[0]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            path.unlink(missing_ok=True)
