"""Parsed records per source, kept between runs so only changed sources are parsed.

Keyed by the sha256 of the bytes that were actually parsed, the capture date
(which decides yearless dates) and the parse fingerprint (the code that turns
bytes into records), so a cached parse is exactly what parsing those bytes
again would give -- also when a file changed while it was being read: the key
is computed from the same read that was parsed.  Entries hold no location:
the same bytes at another path reuse the parse and get their path on load.

A source is written piece by piece (one Arrow record batch per piece) into a
temporary file and renamed into place once its last piece is in, so a crash
never leaves a truncated cache file, and memory holds one piece, not a file.
The cache is Arrow IPC, uncompressed: it is written once per source and read
back by the same run and by every incremental run, where Parquet's encoding
and any decompression would cost more than the disk they save (measured:
writing Parquet cost ten times the parse of the same rows' dates and codes).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc

from warehouse.layout import Layout

ENTRIES = "entries"
REJECTS = "rejects"
#: Temporary cache files start with this; a crashed run's leftovers are removed by the next.
TMP_PREFIX = ".tmp-"
SUFFIX = ".arrow"


@dataclass(frozen=True)
class CacheKey:
    """Identifies one parse: which code, which bytes, which capture date."""

    parse_fingerprint: str
    sha256: str
    captured_on: date

    @property
    def name(self) -> str:
        """The file-name stem; also what prune compares against the manifests."""
        return key_name(self.sha256, self.captured_on)

    def path(self, layout: Layout, part: str) -> Path:
        return layout.cache / self.parse_fingerprint / f"{self.name}.{part}{SUFFIX}"


def key_name(sha256: str, captured_on: date | str) -> str:
    captured = captured_on if isinstance(captured_on, str) else captured_on.isoformat()
    return f"{sha256}_{captured}"


def exists(layout: Layout, key: CacheKey) -> bool:
    # entries are renamed last, so their presence means the parse is complete
    return key.path(layout, ENTRIES).exists() and key.path(layout, REJECTS).exists()


class CacheWriter:
    """Write one source's parse piece by piece; ``commit`` names it by the bytes' sha256."""

    def __init__(self, layout: Layout, parse_fingerprint: str, captured_on: date,
                 entries_empty: pl.DataFrame, rejects_empty: pl.DataFrame) -> None:
        self.layout = layout
        self.parse_fingerprint = parse_fingerprint
        self.captured_on = captured_on
        directory = layout.cache / parse_fingerprint
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._tmp = {ENTRIES: directory / f"{stem}.{ENTRIES}{SUFFIX}", REJECTS: directory / f"{stem}.{REJECTS}{SUFFIX}"}
        self._writers = {
            part: ipc.new_file(self._tmp[part], _arrow(empty).schema)
            for part, empty in ((ENTRIES, entries_empty), (REJECTS, rejects_empty))
        }
        self.n_entries = 0
        self.n_rejects = 0

    def add(self, entries: pl.DataFrame, rejects: pl.DataFrame, *, compact: bool = False) -> None:
        """Append a piece's parse.  ``compact`` when the frames are a part of a larger
        batch's frames (see :func:`_compact`)."""
        convert = _compact if compact else _arrow
        if entries.height:
            self._writers[ENTRIES].write_table(convert(entries))
            self.n_entries += entries.height
        if rejects.height:
            self._writers[REJECTS].write_table(convert(rejects))
            self.n_rejects += rejects.height

    def commit(self, sha256: str) -> CacheKey:
        """Close the files and move them under the key of the bytes that were parsed."""
        for writer in self._writers.values():
            writer.close()
        key = CacheKey(self.parse_fingerprint, sha256, self.captured_on)
        os.replace(self._tmp[REJECTS], key.path(self.layout, REJECTS))
        os.replace(self._tmp[ENTRIES], key.path(self.layout, ENTRIES))  # last: marks the parse complete
        return key

    def abort(self) -> None:
        try:
            for writer in self._writers.values():
                writer.close()
        finally:
            for path in self._tmp.values():
                path.unlink(missing_ok=True)


def _arrow(frame: pl.DataFrame) -> pa.Table:
    """Polars' own Arrow layout (string views): converting to classic strings costs a copy."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _compact(frame: pl.DataFrame) -> pa.Table:
    """String views holding only this frame's strings.

    A frame split off a batch (``partition_by``) still refers to every string
    buffer of the batch, and IPC writes every buffer a column refers to: each
    source of a 64 MiB batch of ten was written with all ten sources' text (the
    cache of 1.2 GB of input was 14 GB).  Classic strings copy just the frame's
    own bytes; casting them back to views points into that one copy.
    """
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    return table.cast(pa.schema([pa.field(f.name, _as_view(f.type), f.nullable) for f in table.schema]))


def _as_view(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(kind):
        return pa.string_view()
    if pa.types.is_large_binary(kind):
        return pa.binary_view()
    if pa.types.is_large_list(kind):
        return pa.large_list(_as_view(kind.value_type))
    return kind


def scan(layout: Layout, key: CacheKey, part: str = ENTRIES) -> pl.LazyFrame:
    return pl.scan_ipc(key.path(layout, part))


def iter_chunks(path: Path, columns: list[str], rows: int) -> Iterator[pl.DataFrame]:
    """A cache file's ``columns``, ``rows`` at a time, in order (a large source never
    sits in memory whole).

    The file is memory-mapped and the frames are views of it: no column is copied
    or decoded, and a pass that does not ask for the abstracts never touches their
    pages (reading them into fresh buffers cost ~3.6 s a pass at 1M records, the
    map ~0.1 s).  The views stay valid after the file is closed, replaced or
    removed: the mapping lives as long as a buffer uses it, and cache files are
    only ever replaced by rename, never rewritten in place.
    """
    with pa.memory_map(str(path)) as source:
        reader = ipc.open_file(source)
        for index in range(reader.num_record_batches):
            batch = reader.get_batch(index).select(columns)
            for offset in range(0, batch.num_rows, rows):
                yield pl.from_arrow(batch.slice(offset, rows))  # type: ignore[misc]


def remove_temporaries(layout: Layout) -> int:
    """Delete half-written cache files of crashed runs (call under the writer lock)."""
    removed = 0
    if not layout.cache.exists():
        return 0
    for directory in layout.cache.iterdir():
        if not directory.is_dir():
            continue
        for path in directory.glob(f"{TMP_PREFIX}*"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def prune(layout: Layout, keep_fingerprints: set[str], keep_names: set[str]) -> int:
    """Remove cache files no kept snapshot can use; returns the number removed."""
    if not layout.cache.exists():
        return 0
    removed = 0
    for fp_dir in layout.cache.iterdir():
        if fp_dir.name not in keep_fingerprints:
            shutil.rmtree(fp_dir, ignore_errors=True)
            removed += 1
            continue
        for path in fp_dir.iterdir():
            if path.name.split(".", 1)[0] not in keep_names:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
