"""Which sources a run covers, and which of them changed since the last snapshot.

The warehouse accumulates sources: a run covers every source of the current
snapshot plus the ones named now.  A local file that was deleted is dropped
(its papers disappear unless another source lists them); a file whose size
and modification time are unchanged is trusted unchanged without being read
(the make/rsync rule), so a no-op run reads no listing bytes.  URLs are
fetched only when named again; otherwise their last download is kept.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal

from flows.extract import decode, expand_paths, is_url

Status = Literal["new", "changed", "unchanged", "removed"]


@dataclass(frozen=True)
class SourceState:
    """What a snapshot remembers about one source (stored in its manifest)."""

    source_file: str  # absolute path or URL
    kind: Literal["file", "url"]
    sha256: str
    n_bytes: int
    mtime_ns: int | None
    captured_on: date

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["captured_on"] = self.captured_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SourceState":
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "captured_on": date.fromisoformat(data["captured_on"])})


@dataclass(frozen=True)
class PlannedSource:
    """A source and what this run must do with it.  Bytes are not kept here: at a
    million records they would pin the whole input in memory until the end of the run;
    the parser re-reads each file when its batch comes (from the page cache)."""

    state: SourceState
    status: Status
    was_read: bool = False  # its bytes were read (hashed) while planning


def file_state(path: Path, data: bytes, captured_on: date | None) -> SourceState:
    stat = path.stat()
    return SourceState(
        source_file=str(path),
        kind="file",
        sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
        mtime_ns=stat.st_mtime_ns,
        captured_on=captured_on or datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc).date(),
    )


def url_state(url: str, data: bytes, captured_on: date | None) -> SourceState:
    return SourceState(
        source_file=url,
        kind="url",
        sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
        mtime_ns=None,
        captured_on=captured_on or datetime.now(timezone.utc).date(),
    )


def _compare(state: SourceState, known: SourceState | None) -> PlannedSource:
    if known is None:
        return PlannedSource(state, "new", was_read=True)
    if known.sha256 == state.sha256 and known.captured_on == state.captured_on:
        return PlannedSource(state, "unchanged", was_read=True)
    return PlannedSource(state, "changed", was_read=True)


def plan_files(
    declared: list[str],
    known: dict[str, SourceState],
    captured_on: date | None,
    full_refresh: bool,
) -> list[PlannedSource]:
    """Plan every local file: the declared ones and the known ones still on disk."""
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
        wanted_capture = captured_on if location in declared_files and captured_on else None
        stat = path.stat()
        if (
            old is not None
            and not full_refresh
            and old.n_bytes == stat.st_size
            and old.mtime_ns == stat.st_mtime_ns
            and (wanted_capture is None or wanted_capture == old.captured_on)
        ):
            planned.append(PlannedSource(old, "unchanged"))
            continue
        data = path.read_bytes()
        state = file_state(path, data, wanted_capture)
        if wanted_capture is None and old is not None and old.sha256 == state.sha256:
            # same bytes (touched, copied back, or --full-refresh): the same capture,
            # so its recorded date stands -- never the file's new modification day
            state = replace(state, captured_on=old.captured_on)
        # a file whose bytes changed is a new capture: its date is the mtime unless given
        planned.append(_compare(state, old))
    return planned


def carried_urls(declared_urls: set[str], known: dict[str, SourceState]) -> list[PlannedSource]:
    """Known URL sources not named this time: kept as last downloaded."""
    return [PlannedSource(s, "unchanged") for k, s in sorted(known.items()) if s.kind == "url" and k not in declared_urls]


def plan_url(url: str, data: bytes, known: dict[str, SourceState], captured_on: date | None) -> PlannedSource:
    """A fetched URL; unchanged content keeps its earlier capture date unless one is given."""
    old = known.get(url)
    state = url_state(url, data, captured_on)
    if captured_on is None and old is not None and old.sha256 == state.sha256:
        state = replace(state, captured_on=old.captured_on)
    return _compare(state, old)


def url_list(data: bytes) -> list[str]:
    """The non-blank lines of a text, stripped."""
    return [line.strip() for line in decode(data)[0].splitlines() if line.strip()]


def is_url_list(data: bytes) -> bool:
    """A text whose non-blank lines are all URLs is a list of sources, not a listing."""
    lines = url_list(data)
    return bool(lines) and all(is_url(line) for line in lines)


def source_bytes(downloads: Path, state: SourceState) -> bytes:
    """The bytes of a planned source: the file itself, or the stored download of a URL."""
    if state.kind == "url":
        return downloads_path(downloads, state.sha256).read_bytes()
    return Path(state.source_file).read_bytes()


def downloads_path(downloads: Path, sha256: str) -> Path:
    return downloads / f"{sha256}.txt"


def store_download(downloads: Path, data: bytes) -> Path:
    """Keep fetched bytes (content-addressed) so later runs can re-parse without re-fetching."""
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads_path(downloads, hashlib.sha256(data).hexdigest())
    if not target.exists():
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return target
