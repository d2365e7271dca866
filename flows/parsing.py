"""Read sources in pieces, parse them in parallel, cache each source's parse.

Every byte of a source is read once: that one read is hashed (sha256), cut
into pieces at record boundaries, parsed and written to the parse cache under
the hash of exactly those bytes.  A file that changes while it is read can
therefore never credit records to the wrong content.

Pieces of many small files are grouped into batches of about
:data:`BATCH_BYTES`, so per-call costs stay small; a large file is cut into
pieces of about :data:`PIECE_BYTES`, so memory is bounded by a few batches in
flight, never by the input.  Batches are parsed by a pool of worker threads
(Polars and DuckDB release the GIL while they work), or handed to a
distributed task runner by the caller, and their results are consumed in
order, so the cache is written exactly as a sequential run would write it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from flows.extract import decode, wide_encoding
from transforms.parse import ENTRY_SCHEMA, REJECT_SCHEMA, ParsedChunk, empty_chunk, parse_groups
from transforms.records import LINE_SCHEMA, assemble, lines_from_text, lines_from_utf8, record_cut, strip_bom
from warehouse import parse_cache
from warehouse.layout import Layout

#: Bytes read from a file at a time; a piece is cut from them at a record boundary.
PIECE_BYTES = 64 * 1024 * 1024
#: Pieces are grouped into batches of about this many bytes for one parse call.
BATCH_BYTES = 64 * 1024 * 1024
#: Batches parsed at once: one per core, plus one being read.
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))

_LONE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class Piece:
    """A run of whole lines of one source."""

    source: int  # index into the list of sources being read
    first_line: int
    data: bytes
    final: bool  # the source's last piece: ``sha256`` is then its digest
    sha256: str | None = None


@dataclass(frozen=True)
class Batch:
    pieces: list[Piece]
    captured_on: list[date]  # per piece

    @property
    def n_bytes(self) -> int:
        return sum(len(p.data) for p in self.pieces)


@dataclass
class SourceParse:
    """What parsing one source produced: its cache key and counts for the run summary."""

    source: int
    key: parse_cache.CacheKey
    n_bytes: int
    n_entries: int
    n_rejects: int
    n_reject_lines: int


@dataclass(frozen=True)
class ToRead:
    """A source to read: where its bytes are, and its capture date."""

    path: Path
    captured_on: date


def _normalise_line_ends(data: bytes, at_end: bool) -> tuple[bytes, bytes]:
    """Lone CRs (old Mac line ends) become LFs; a CR at the very end of a block may
    be half of a CRLF, so it is held back unless the file ends there."""
    held = b""
    if not at_end and data.endswith(b"\r"):
        data, held = data[:-1], b"\r"
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        data = _LONE_CR.sub(b"\n", data)
    return data, held


def read_pieces(sources: list[ToRead], piece_bytes: int = PIECE_BYTES) -> Iterator[Piece]:
    """The pieces of every source, in order; each source's last piece carries its sha256."""
    for index, source in enumerate(sources):
        yield from _pieces_of(index, source.path, piece_bytes)


def _pieces_of(index: int, path: Path, piece_bytes: int) -> Iterator[Piece]:
    digest = hashlib.sha256()
    line = 1
    pending = b""
    with open(path, "rb") as handle:
        first = handle.read(piece_bytes)
        digest.update(first)
        if wide_encoding(first) is not None:  # rare: transcode the whole file, then cut it like any other
            rest = handle.read()
            digest.update(rest)
            blocks: Iterable[bytes] = iter([decode(first + rest)[0].encode("utf-8")])
        else:
            blocks = _blocks(handle, first, piece_bytes, digest)
        blocks = iter(blocks)
        block = next(blocks, b"")
        while True:
            following = next(blocks, None)
            at_end = following is None
            data, held = _normalise_line_ends(pending + block, at_end)
            if at_end:
                yield Piece(index, line, data, final=True, sha256=digest.hexdigest())
                return
            cut = record_cut(data)
            if cut:
                yield Piece(index, line, data[:cut], final=False)
                line += data.count(b"\n", 0, cut)
            pending = data[cut:] + held
            block = following


def _blocks(handle, first: bytes, size: int, digest) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    yield first
    while block := handle.read(size):
        digest.update(block)
        yield block


def batches(pieces: Iterable[Piece], captured_on: list[date], batch_bytes: int = BATCH_BYTES) -> Iterator[Batch]:
    """Group consecutive pieces into batches of about ``batch_bytes``."""
    current: list[Piece] = []
    size = 0
    for piece in pieces:
        if current and size + len(piece.data) > batch_bytes:
            yield Batch(current, [captured_on[p.source] for p in current])
            current, size = [], 0
        current.append(piece)
        size += len(piece.data)
    if current:
        yield Batch(current, [captured_on[p.source] for p in current])


def piece_lines(piece: Piece, number: int) -> pl.DataFrame:
    """The lines of one piece, decoded: UTF-8 in native code, else line by line (Windows-1252 fallback)."""
    lines = lines_from_utf8(piece.data, piece=number, first_line=piece.first_line)
    if lines is None:
        text, invalid = decode(piece.data)
        lines = lines_from_text(text, invalid, piece=number, first_line=piece.first_line)
    return strip_bom(lines) if piece.first_line == 1 else lines


def parse_batch(batch: Batch) -> ParsedChunk:
    """Cut and parse one batch of pieces (pure: runs in any thread or on any worker)."""
    frames = [piece_lines(piece, number) for number, piece in enumerate(batch.pieces)]
    if not frames:
        return empty_chunk()
    lines = pl.concat(frames) if len(frames) > 1 else frames[0]
    if lines.height == 0:
        return empty_chunk()
    return parse_groups(assemble(lines.select(LINE_SCHEMA.keys())), pl.Series(batch.captured_on, dtype=pl.Date))


def in_threads(workers: int) -> Callable[[Iterable[Batch]], Iterator[ParsedChunk]]:
    """Parse batches in a pool of ``workers`` threads, yielding results in order,
    with at most ``workers + 1`` batches in memory."""

    def run(work: Iterable[Batch]) -> Iterator[ParsedChunk]:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parse") as pool:
            pending: deque[Future[ParsedChunk]] = deque()
            for batch in work:
                pending.append(pool.submit(parse_batch, batch))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    return run


@dataclass
class _Open:
    writer: parse_cache.CacheWriter
    n_bytes: int = 0
    reject_lines: int = 0


@dataclass
class ParseRun:
    """Parse ``sources`` into the cache; ``parallel`` maps batches to their parses, in order."""

    layout: Layout
    parse_fingerprint: str
    parallel: Callable[[Iterable[Batch]], Iterator[ParsedChunk]]
    on_progress: Callable[[int, int, int], None] | None = None  # (bytes, entries, rejects) just done
    batch_bytes: int = BATCH_BYTES
    results: dict[int, SourceParse] = field(default_factory=dict)

    def run(self, sources: list[ToRead]) -> dict[int, SourceParse]:
        captured = [s.captured_on for s in sources]
        open_: dict[int, _Open] = {}
        feed: deque[Batch] = deque()

        def work() -> Iterator[Batch]:
            for batch in batches(read_pieces(sources), captured, self.batch_bytes):
                feed.append(batch)
                yield batch

        empty = ParsedChunk(pl.DataFrame(schema=ENTRY_SCHEMA), pl.DataFrame(schema=REJECT_SCHEMA))
        try:
            for parsed in self.parallel(work()):
                batch = feed.popleft()
                by_piece_e = parsed.entries.partition_by("piece", as_dict=True, include_key=False)
                by_piece_r = parsed.rejects.partition_by("piece", as_dict=True, include_key=False)
                for number, piece in enumerate(batch.pieces):
                    state = open_.get(piece.source)
                    if state is None:
                        writer = parse_cache.CacheWriter(
                            self.layout, self.parse_fingerprint, captured[piece.source], empty.entries, empty.rejects
                        )
                        state = open_[piece.source] = _Open(writer)
                    entries = by_piece_e.get((number,), empty.entries)
                    rejects = by_piece_r.get((number,), empty.rejects)
                    state.writer.add(entries, rejects, compact=len(batch.pieces) > 1)
                    state.n_bytes += len(piece.data)
                    if rejects.height:
                        state.reject_lines += int(rejects["raw"].str.count_matches("\n").sum() or 0) + rejects.height
                    if piece.final:
                        assert piece.sha256 is not None
                        key = state.writer.commit(piece.sha256)
                        self.results[piece.source] = SourceParse(
                            piece.source, key, state.n_bytes, state.writer.n_entries, state.writer.n_rejects,
                            state.reject_lines,
                        )
                        del open_[piece.source]
                if self.on_progress is not None:
                    self.on_progress(batch.n_bytes, parsed.entries.height, parsed.rejects.height)
        finally:
            for state in open_.values():
                state.writer.abort()
        return self.results


