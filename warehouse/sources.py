"""What the warehouse remembers about its sources, and the bytes it keeps for URLs.

A snapshot's manifest lists every source it was built from (path or URL,
sha256 and size of the bytes that were parsed, modification time, capture
date).  The next run compares files on disk against these states to decide
what to read again.  Bytes fetched from URLs are kept content-addressed under
``DIR/downloads/`` so later runs re-parse them without fetching.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from warehouse.fileio import fsync_path

SourceKind = Literal["file", "url"]
#: Suffix of a stored download: its name is ``<sha256><suffix>``.
DOWNLOAD_SUFFIX = ".txt"


@dataclass(frozen=True)
class SourceState:
    """What a snapshot remembers about one source (stored in its manifest)."""

    source_file: str  # absolute path or URL
    kind: SourceKind
    sha256: str
    n_bytes: int
    mtime_ns: int | None
    captured_on: date
    #: What its parse held (None in manifests written before these were recorded).
    n_entries: int | None = None
    n_rejects: int | None = None
    n_reject_lines: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["captured_on"] = self.captured_on.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "SourceState":
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "captured_on": date.fromisoformat(data["captured_on"])})


def downloads_path(downloads: Path, sha256: str) -> Path:
    return downloads / f"{sha256}{DOWNLOAD_SUFFIX}"


def store_download(downloads: Path, data: bytes) -> Path:
    """Keep fetched bytes (content-addressed) so later runs can re-parse without re-fetching."""
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads_path(downloads, hashlib.sha256(data).hexdigest())
    if not target.exists():
        tmp = target.with_name(f".{target.name}.{os.getpid()}")
        try:
            tmp.write_bytes(data)
            fsync_path(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    return target


def source_path(downloads: Path, state: SourceState) -> Path:
    """Where a source's bytes are read from: the file itself, or the stored download of a URL."""
    if state.kind == "url":
        return downloads_path(downloads, state.sha256)
    return Path(state.source_file)
