"""The corpus of a run, read from the parse cache column by column, source by source.

Implements :class:`transforms.corpus.CorpusReader` over the cache files (Arrow
IPC, one record batch per parsed piece): a read names its columns and gets
each piece of each source in order, so the global steps never hold more text
than one piece's worth of the columns they asked for.  Sources are numbered
(``src``) in the order of their names, which is the published order of
``listing_entries``.  Partitioned work parks its frames in a spill directory
under the warehouse, removed when the run is done (or by the next run).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.corpus import MemorySpill, Spill
from warehouse import parse_cache
from warehouse.layout import Layout
from warehouse.sources import SourceState

#: Spill directories start with this; a crashed run's leftovers are removed by the next.
SPILL_PREFIX = ".tmp-spill-"


def cache_key(parse_fingerprint: str, state: SourceState) -> parse_cache.CacheKey:
    return parse_cache.CacheKey(parse_fingerprint, state.sha256, state.captured_on)


class CacheCorpus:
    """Every live source's cached parse."""

    def __init__(self, layout: Layout, parse_fingerprint: str, live: list[SourceState]) -> None:
        self.layout = layout
        ordered = sorted(live, key=lambda s: s.source_file)
        self._keys = [cache_key(parse_fingerprint, s) for s in ordered]
        self._sources = pl.DataFrame(
            {
                "src": list(range(len(ordered))),
                "source_file": [s.source_file for s in ordered],
                "captured_on": [s.captured_on for s in ordered],
            },
            schema={"src": pl.UInt32, "source_file": pl.String, "captured_on": pl.Date},
        )

    @property
    def sources(self) -> pl.DataFrame:
        return self._sources

    def entries(self, columns: list[str]) -> Iterator[tuple[int, pl.DataFrame]]:
        wanted = ["source_line", *[c for c in columns if c != "source_line"]]
        for src, key in enumerate(self._keys):
            path = key.path(self.layout, parse_cache.ENTRIES)
            yield from ((src, chunk) for chunk in parse_cache.iter_chunks(path, wanted, READ_ROWS))

    def rejects(self) -> Iterator[tuple[int, pl.DataFrame]]:
        for src, key in enumerate(self._keys):
            yield src, pl.read_ipc(key.path(self.layout, parse_cache.REJECTS))

    def spill(self, partitions: int) -> Spill:
        if partitions == 1:
            return MemorySpill()
        return DiskSpill(self.layout.warehouse / f"{SPILL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}")


#: Rows read at a time: a large source never sits in memory whole.
READ_ROWS = 64 * 1024


@dataclass
class DiskSpill:
    """Frames parked as Arrow IPC files, one directory per run, one file per append."""

    directory: Path

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True)
        self._count = 0

    def append(self, partition: int, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        self._count += 1
        frame.write_ipc(self.directory / f"{partition}-{self._count}.arrow", compression="uncompressed")

    def read(self, partition: int) -> pl.DataFrame:
        files = sorted(self.directory.glob(f"{partition}-*.arrow"))
        if not files:
            return pl.DataFrame()
        frame = pl.concat([pl.read_ipc(f) for f in files])
        for f in files:
            f.unlink()
        return frame

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def remove_stale_spills(layout: Layout) -> None:
    """Delete the spill directories of crashed runs (call under the writer lock)."""
    if layout.warehouse.exists():
        for path in layout.warehouse.glob(f"{SPILL_PREFIX}*"):
            shutil.rmtree(path, ignore_errors=True)


def load(layout: Layout, parse_fingerprint: str, live: list[SourceState]) -> CacheCorpus:
    return CacheCorpus(layout, parse_fingerprint, live)
