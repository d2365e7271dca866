"""Write one published table as Parquet, from a frame or a stream of frames.

Tables are written with their published schema (a drifted column fails the
run instead of silently changing a BI tool's types).  A table may arrive as a
stream of frames (the papers table, whose abstracts are most of the
warehouse's bytes, is streamed from the parse cache), so memory holds a row
group, not a table.  The file's sha256 and size are computed from the bytes as
they are written, for the manifest, instead of reading the file back.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from transforms.tables import rebatch
from warehouse.fileio import fsync_path

#: Codec of published tables: zstd reads fast everywhere and compresses text well.
COMPRESSION = "zstd"
#: zstd's fastest levels compress listing text nearly as well as the default at a
#: fraction of the CPU (measured on the benchmark's abstracts).
COMPRESSION_LEVEL = 1
#: Rows per row group: large enough for good compression and scans, small enough
#: that a streamed table holds little in memory.
ROW_GROUP_ROWS = 128 * 1024
#: Dictionary pages: off.  Most string columns are ids, titles and abstracts, where
#: a dictionary is tried and abandoned at a cost; zstd makes up for it on the
#: repetitive ones (1M records: 8.2 s instead of 9.8 s, 276 MB either way).
USE_DICTIONARY = False
#: Row groups built ahead of the writer thread (memory: this many row groups).
GROUPS_IN_FLIGHT = 2


@dataclass(frozen=True)
class WrittenFile:
    rows: int
    bytes: int
    sha256: str


class _HashingFile(io.RawIOBase):
    """A write-only file that hashes and counts what passes through it."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "wb")  # noqa: SIM115 (closed in close())
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def, override]
        view = memoryview(data)
        self.digest.update(view)
        self.size += view.nbytes
        return self._file.write(view)

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        super().close()


def write_frames(path: Path, schema: pa.Schema, frames: Iterable[pl.DataFrame]) -> WrittenFile:
    """Write ``frames`` (each with at least the schema's columns) as one Parquet file.

    Encoding and compressing a row group (pyarrow, without the GIL) runs in a
    writer thread while this thread builds the next one from ``frames``: on the
    papers table the two take about as long as each other, so overlapping them
    nearly halves the write.  At most :data:`GROUPS_IN_FLIGHT` row groups wait.
    """
    sink = _HashingFile(path)
    writer = pq.ParquetWriter(
        sink, schema, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL, write_statistics=True,
        use_dictionary=USE_DICTIONARY,
    )
    groups: queue.Queue[pa.Table | None] = queue.Queue(maxsize=GROUPS_IN_FLIGHT)
    failure: list[BaseException] = []

    def encode() -> None:
        while (table := groups.get()) is not None:
            if failure:
                continue  # drain: the producer must never block on a dead consumer
            try:
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            except BaseException as exc:  # re-raised in the producer's thread
                failure.append(exc)

    thread = threading.Thread(target=encode, name="parquet-writer", daemon=True)
    thread.start()
    rows = 0
    try:
        for table in _row_groups(schema, frames):
            if failure:
                break
            groups.put(table)
            rows += table.num_rows
    finally:
        groups.put(None)
        thread.join()
        writer.close()
        sink.close()
    if failure:
        raise failure[0]
    fsync_path(path.parent)
    return WrittenFile(rows=rows, bytes=sink.size, sha256=sink.digest.hexdigest())


def _row_groups(schema: pa.Schema, frames: Iterable[pl.DataFrame]) -> Iterator[pa.Table]:
    """``frames`` regrouped into Arrow tables of about ROW_GROUP_ROWS rows, in the published schema."""
    for group in rebatch((frame for frame in frames if frame.height), ROW_GROUP_ROWS):
        yield group.select(schema.names).to_arrow().cast(schema)
