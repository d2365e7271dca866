"""Does a snapshot still hold what its manifest says it holds?

A snapshot's ``_snapshot.json`` records, for every table, the file name, row
count, byte size and sha256 written at publish time; it is the root of trust
(whoever can rewrite it can forge anything, and it is not signed).  Two depths
of check, for two costs:

* **shallow** -- each file exists, is a regular file, has the recorded size,
  and its Parquet footer is readable and gives the recorded row count.  Reads
  only the footers (a few KB per file, whatever the data size), so it costs
  the same at 1 GB as on the samples; ``paperhouse sql`` runs it on the current
  snapshot before every query.  It catches a rewritten table (``COPY ... TO
  papers.parquet`` changes its size, rows or footer) and truncation, but not a
  same-size, same-row-count byte edit.
* **deep** -- additionally every file's sha256.  Reads every byte (about 2 s
  per GB); ``status --verify``, ``sql --snapshot``, ``export`` and ``report``
  run it.

No result is cached: a cache would have to live somewhere a forger can also
write, and the shallow check is already O(number of tables).

A malformed or forged manifest is a one-line :class:`ManifestError`, never a
traceback.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from warehouse.catalog import CATALOG_FILE, catalog_differences
from warehouse.fileio import sha256_file
from warehouse.layout import Layout
from warehouse.schema import TABLE_SCHEMAS

#: The manifest's name, as ``warehouse.snapshots.MANIFEST`` (not imported: that module loads Polars,
#: which a query does not need).
MANIFEST = "_snapshot.json"
#: A run id is a directory name under snapshots/: no separators, no hidden names.
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: A manifest larger than this is not one of ours (they are a few KB).
MAX_MANIFEST_BYTES = 16 << 20


class ManifestError(ValueError):
    """A snapshot's ``_snapshot.json`` is missing, unreadable or not a paperhouse manifest."""


class SnapshotDamaged(ValueError):
    """A snapshot's files differ from its manifest; the message names them."""

    def __init__(self, run_id: str, problems: list["Problem"]) -> None:
        self.run_id = run_id
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:3])
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        super().__init__(
            f"snapshot {run_id} differs from its manifest: {shown}{more} "
            f"(`paperhouse status --verify --snapshot {run_id}` lists every difference)"
        )


@dataclass(frozen=True)
class Problem:
    """One thing that differs: ``subject`` (a file or a view) and what is wrong with it."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def valid_run_id(run_id: str) -> bool:
    return bool(_RUN_ID.match(run_id))


def read_manifest(snapshot_dir: Path) -> dict[str, Any]:
    """The manifest of ``snapshot_dir``, checked to be well-formed (ManifestError otherwise).

    Well-formed means: a JSON object whose ``run_id`` is the directory's name
    and whose ``tables`` maps every published table to
    ``{"file": "<name>.parquet", "rows": int, "bytes": int, "sha256": hex}``,
    so that no forged entry can point a reader at another file.
    """
    path = snapshot_dir / MANIFEST
    where = f"{snapshot_dir.name}/{MANIFEST}"
    try:
        if path.is_symlink() or not path.is_file():
            raise ManifestError(f"{where} is missing or not a regular file")
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise ManifestError(f"{where} is larger than {MAX_MANIFEST_BYTES} bytes: not a paperhouse manifest")
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ManifestError(f"{where} cannot be read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{where} is not valid JSON ({' '.join(str(exc).split())})") from exc
    except RecursionError as exc:
        raise ManifestError(f"{where} is nested too deeply to be a paperhouse manifest") from exc
    if not isinstance(manifest, dict):
        raise ManifestError(f"{where} is not a JSON object")
    if manifest.get("run_id") != snapshot_dir.name:
        raise ManifestError(f"{where} names run_id {manifest.get('run_id')!r}, not {snapshot_dir.name!r}")
    if not isinstance(manifest.get("created_at"), str):
        raise ManifestError(f"{where} has no created_at string")
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise ManifestError(f"{where} has no 'tables' object")
    for name, entry in tables.items():
        problem = _entry_problem(name, entry)
        if problem:
            raise ManifestError(f"{where}: table {name!r} {problem}")
    missing = [name for name in TABLE_SCHEMAS if name not in tables]
    if missing:
        raise ManifestError(f"{where} lists no {', '.join(missing)} table")
    return manifest


def _entry_problem(name: str, entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "is not an object"
    if entry.get("file") != f"{name}.parquet" or name not in TABLE_SCHEMAS:
        return f"must be file {name}.parquet of a known table (got {entry.get('file')!r})"
    for key in ("rows", "bytes"):
        value = entry.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"has no valid {key!r} count"
    if not isinstance(entry.get("sha256"), str) or not _SHA256.match(entry["sha256"]):
        return "has no valid sha256"
    return None


def table_files(snapshot_dir: Path, manifest: dict[str, Any]) -> list[Path]:
    """The Parquet files a (well-formed) manifest lists, in its order."""
    return [snapshot_dir / entry["file"] for entry in manifest["tables"].values()]


def check_files(snapshot_dir: Path, manifest: dict[str, Any], *, deep: bool) -> list[Problem]:
    """Each listed file against its manifest entry (see the module docstring for the depths)."""
    problems: list[Problem] = []
    for entry in manifest["tables"].values():
        path = snapshot_dir / entry["file"]
        subject = entry["file"]
        try:
            info = path.lstat()
        except FileNotFoundError:
            problems.append(Problem(subject, "missing"))
            continue
        except OSError as exc:
            problems.append(Problem(subject, f"cannot be read: {exc.strerror or exc}"))
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append(Problem(subject, "is not a regular file (a symlink or a directory)"))
            continue
        if info.st_size != entry["bytes"]:
            problems.append(Problem(subject, f"is {info.st_size} bytes, the manifest says {entry['bytes']}"))
            continue
        try:
            rows = pq.read_metadata(path).num_rows
        except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid (a ValueError) for a bad footer
            problems.append(Problem(subject, f"is not a readable Parquet file ({' '.join(str(exc).split())[:120]})"))
            continue
        if rows != entry["rows"]:
            problems.append(Problem(subject, f"has {rows} rows, the manifest says {entry['rows']}"))
            continue
        if deep:
            try:
                digest = sha256_file(path)
            except OSError as exc:
                problems.append(Problem(subject, f"cannot be read: {exc.strerror or exc}"))
                continue
            if digest != entry["sha256"]:
                problems.append(Problem(subject, "sha256 differs from the manifest (the bytes were changed)"))
    # the views read table files by name: an extra one would be read unchecked
    listed = {entry["file"] for entry in manifest["tables"].values()}
    for path in sorted(snapshot_dir.glob("*.parquet")):
        if path.name not in listed:
            problems.append(Problem(path.name, f"is not listed in {MANIFEST}"))
    return problems


def verify_snapshot(layout: Layout, run_id: str, *, deep: bool) -> list[Problem]:
    """Every table file of snapshot ``run_id`` against its manifest; empty when all match.

    ``deep`` adds sha256 (reads every byte); shallow checks sizes, Parquet
    footers and row counts.  A bad or missing manifest is one problem, not an
    exception, so callers can print it and carry on.
    """
    if not valid_run_id(run_id):
        return [Problem(run_id, "is not a snapshot name")]
    snapshot_dir = layout.snapshot(run_id)
    try:
        manifest = read_manifest(snapshot_dir)
    except ManifestError as exc:
        return [Problem(MANIFEST, str(exc))]
    return check_files(snapshot_dir, manifest, deep=deep)


def verify_catalog(layout: Layout, run_id: str) -> list[Problem]:
    """The snapshot's catalog file against the views ``sql/`` builds for where the snapshot is now."""
    snapshot_dir = layout.snapshot(run_id).resolve()
    differences = catalog_differences(snapshot_dir / CATALOG_FILE, snapshot_dir, run_id)
    return [Problem(CATALOG_FILE, str(difference)) for difference in differences]


def require_intact(layout: Layout, run_id: str, *, deep: bool) -> dict[str, Any]:
    """The manifest of ``run_id`` if its files match it; ManifestError or SnapshotDamaged otherwise.

    The check readers run before they read a snapshot.
    """
    snapshot_dir = layout.snapshot(run_id)
    manifest = read_manifest(snapshot_dir)
    problems = check_files(snapshot_dir, manifest, deep=deep)
    if problems:
        raise SnapshotDamaged(run_id, problems)
    return manifest
