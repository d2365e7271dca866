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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.fileio import fsync_path

#: Codec of published tables: zstd reads fast everywhere and compresses text well.
COMPRESSION = "zstd"
#: zstd's fastest levels compress listing text nearly as well as the default at a
#: fraction of the CPU (measured on the benchmark's abstracts).
COMPRESSION_LEVEL = 1
#: Rows per row group: large enough for good compression and scans, small enough
#: that a streamed table holds little in memory.
ROW_GROUP_ROWS = 128 * 1024


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
    """Write ``frames`` (each with at least the schema's columns) as one Parquet file."""
    sink = _HashingFile(path)
    rows = 0
    pending: list[pa.Table] = []
    pending_rows = 0
    writer = pq.ParquetWriter(
        sink, schema, compression=COMPRESSION, compression_level=COMPRESSION_LEVEL, write_statistics=True
    )
    try:
        for frame in frames:
            if frame.height == 0:
                continue
            pending.append(frame.select(schema.names).to_arrow().cast(schema))
            pending_rows += frame.height
            if pending_rows >= ROW_GROUP_ROWS:
                table = pa.concat_tables(pending)
                writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
                rows += table.num_rows
                pending, pending_rows = [], 0
        if pending:
            table = pa.concat_tables(pending)
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            rows += table.num_rows
    finally:
        writer.close()
        sink.close()
    fsync_path(path.parent)
    return WrittenFile(rows=rows, bytes=sink.size, sha256=sink.digest.hexdigest())
