"""Which sources a run covers, and which of them must be read.

The warehouse accumulates sources: a run covers every source of the current
snapshot plus the ones named now.  A local file that was deleted is dropped
(its papers disappear unless another source lists them); a file whose size
and modification time are unchanged is trusted unchanged without being read
(the make/rsync rule), so a no-op run reads no listing bytes.  URLs are
fetched only when named again; otherwise their last download is kept.

Planning reads no file it does not have to: a new file, or one whose size
changed, is read once, later, by the parser (which hashes what it parses).
Only a known file whose size is unchanged but whose modification time moved
is hashed here first, because it is usually the same bytes (touched, copied
back) and then needs neither a parse nor a new capture date.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Literal

from flows.extract import decode, expand_paths, is_url
from warehouse.sources import SourceState

Status = Literal["new", "changed", "unchanged", "removed"]
#: Hashing reads in blocks of this size.
_HASH_BLOCK = 1 << 22


@dataclass(frozen=True)
class PlannedSource:
    """A source and what this run must do with it.

    ``state`` is what the manifest will record; for a source still to be parsed
    its ``sha256`` and ``n_bytes`` are provisional until the parser has read it.
    """

    state: SourceState
    status: Status
    must_parse: bool = False
    was_read: bool = False  # bytes were read while planning (hashed)


def file_mtime_day(stat_mtime: float) -> date:
    return datetime.fromtimestamp(stat_mtime, tz=timezone.utc).date()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def plan_files(
    declared: list[str],
    known: dict[str, SourceState],
    captured_on: date | None,
    full_refresh: bool,
) -> list[PlannedSource]:
    """Plan every local file: the declared ones and the known ones still on disk.

    The capture date of a file is ``captured_on`` when the file is named with
    one; otherwise a known file keeps its recorded capture date as long as its
    bytes are the same, and a new or changed file takes its modification day.
    """
    declared_files = {str(p) for p in expand_paths([d for d in declared if not is_url(d)])}
    known_files = {k for k, s in known.items() if s.kind == "file"}
    planned: list[PlannedSource] = []
    for location in sorted(declared_files | known_files):
        path = Path(location)
        old = known.get(location)
        if not path.is_file():
            if old is not None:
                planned.append(PlannedSource(old, "removed"))
            continue
        wanted = captured_on if location in declared_files and captured_on else None
        stat = path.stat()
        same_capture = wanted is None or (old is not None and wanted == old.captured_on)
        if old is not None and same_capture and old.n_bytes == stat.st_size:
            if old.mtime_ns == stat.st_mtime_ns:
                planned.append(PlannedSource(old, "unchanged", must_parse=full_refresh))
                continue
            if sha256_of(path) == old.sha256:  # touched, same bytes: same capture
                planned.append(PlannedSource(replace(old, mtime_ns=stat.st_mtime_ns), "unchanged",
                                             must_parse=full_refresh, was_read=True))
                continue
        capture = wanted or file_mtime_day(stat.st_mtime)
        state = SourceState(
            source_file=str(path), kind="file", sha256="", n_bytes=stat.st_size,
            mtime_ns=stat.st_mtime_ns, captured_on=capture,
        )
        planned.append(PlannedSource(state, "new" if old is None else "changed", must_parse=True))
    return planned


def plan_url(url: str, sha256: str, n_bytes: int, known: dict[str, SourceState],
             captured_on: date | None, today: date) -> PlannedSource:
    """A fetched URL; unchanged content keeps its earlier capture date unless one is given."""
    old = known.get(url)
    capture = captured_on or (old.captured_on if old is not None and old.sha256 == sha256 else today)
    state = SourceState(source_file=url, kind="url", sha256=sha256, n_bytes=n_bytes, mtime_ns=None,
                        captured_on=capture)
    if old is None:
        return PlannedSource(state, "new", must_parse=True, was_read=True)
    unchanged = old.sha256 == sha256 and old.captured_on == capture
    return PlannedSource(state, "unchanged" if unchanged else "changed", must_parse=not unchanged, was_read=True)


def carried_urls(declared_urls: set[str], known: dict[str, SourceState], full_refresh: bool) -> list[PlannedSource]:
    """Known URL sources not named this time: kept as last downloaded."""
    return [
        PlannedSource(s, "unchanged", must_parse=full_refresh)
        for k, s in sorted(known.items())
        if s.kind == "url" and k not in declared_urls
    ]


def settle(
    planned: PlannedSource, sha256: str, n_bytes: int, counts: tuple[int, int, int], known: SourceState | None
) -> PlannedSource:
    """A parsed source's final state and status, from the bytes the parser actually read
    (``counts``: entries, rejects, rejected lines)."""
    n_entries, n_rejects, n_reject_lines = counts
    state = replace(planned.state, sha256=sha256, n_bytes=n_bytes, n_entries=n_entries, n_rejects=n_rejects,
                    n_reject_lines=n_reject_lines)
    if known is None:
        status: Status = "new"
    elif known.sha256 == sha256 and known.captured_on == state.captured_on:
        status = "unchanged"
    else:
        status = "changed"
    return replace(planned, state=state, status=status, was_read=True)


def url_list(data: bytes) -> list[str]:
    """The non-blank lines of a text, stripped."""
    return [line.strip() for line in decode(data)[0].splitlines() if line.strip()]


def is_url_list(data: bytes) -> bool:
    """A text whose non-blank lines are all URLs is a list of sources, not a listing."""
    lines = url_list(data)
    return bool(lines) and all(is_url(line) for line in lines)
