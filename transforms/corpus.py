"""The parsed corpus as the global steps see it: column by column, source by source.

Dedupe, author resolution and the tables need every record of the warehouse,
but each step needs only a few columns, and no step needs all of them at once.
So the global steps read the corpus through a :class:`CorpusReader` that
streams the columns asked for, one source (or one piece of a large source) at
a time, and they keep only compact, integer-keyed frames in memory.  Work that
needs more than that is done per partition, with frames parked in a
:class:`Spill` between the pass that produces them and the pass that uses them.

Both interfaces are implemented over the parse cache (``warehouse/corpus.py``)
and, for tests and small inputs, over frames in memory (here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from transforms.parse import Parsed


class CorpusReader(Protocol):
    """Every live source's parse, readable column by column."""

    @property
    def sources(self) -> pl.DataFrame:
        """``src`` (UInt32), ``source_file``, ``captured_on``: in source order."""
        ...

    def entries(self, columns: list[str]) -> Iterator[tuple[int, pl.DataFrame]]:
        """(src, frame of ``source_line`` + ``columns``), every source in order, its rows in order."""
        ...

    def rejects(self) -> Iterator[tuple[int, pl.DataFrame]]:
        """(src, rejects frame) for every source in order."""
        ...

    def spill(self, partitions: int) -> Spill:
        """Somewhere to park per-partition frames for a later pass."""
        ...


class Spill(Protocol):
    def append(self, partition: int, frame: pl.DataFrame) -> None: ...

    def read(self, partition: int) -> pl.DataFrame: ...

    def close(self) -> None: ...


@dataclass
class MemorySpill:
    """Parks frames in memory (one partition, or tests)."""

    parts: dict[int, list[pl.DataFrame]] = field(default_factory=lambda: defaultdict(list))

    def append(self, partition: int, frame: pl.DataFrame) -> None:
        self.parts[partition].append(frame)

    def read(self, partition: int) -> pl.DataFrame:
        frames = self.parts.pop(partition, [])
        return pl.concat(frames) if frames else pl.DataFrame()

    def close(self) -> None:
        self.parts.clear()


@dataclass
class FrameCorpus:
    """A corpus held in memory: parsed frames located by ``source_file`` (tests, small inputs)."""

    by_source: list[pl.DataFrame]
    rejects_by_source: list[pl.DataFrame]
    sources_frame: pl.DataFrame

    @property
    def sources(self) -> pl.DataFrame:
        return self.sources_frame

    def entries(self, columns: list[str]) -> Iterator[tuple[int, pl.DataFrame]]:
        for src, frame in enumerate(self.by_source):
            yield src, frame.select("source_line", *[c for c in columns if c != "source_line"])

    def rejects(self) -> Iterator[tuple[int, pl.DataFrame]]:
        yield from enumerate(self.rejects_by_source)

    def spill(self, partitions: int) -> Spill:
        return MemorySpill()


def corpus_of(parsed: Parsed) -> FrameCorpus:
    """A corpus from parsed frames with ``source_file`` and ``captured_on`` columns."""
    entries = parsed.entries.collect()
    rejects = parsed.rejects.collect()
    files = sorted(set(entries["source_file"].to_list()) | set(rejects["source_file"].to_list()))
    captured = dict(zip(entries["source_file"].to_list(), entries["captured_on"].to_list()))
    sources = pl.DataFrame(
        {"src": list(range(len(files))), "source_file": files, "captured_on": [captured.get(f) for f in files]},
        schema={"src": pl.UInt32, "source_file": pl.String, "captured_on": pl.Date},
    )
    by_source = [entries.filter(pl.col("source_file") == f).sort("source_line").drop("source_file", "captured_on")
                 for f in files]
    rejects_by_source = [rejects.filter(pl.col("source_file") == f).sort("source_line").drop("source_file")
                         for f in files]
    return FrameCorpus(by_source, rejects_by_source, sources)


@dataclass
class CorrectedCorpus:
    """A corpus with some entries' columns replaced (the splits decided after parsing).

    ``corrections`` is keyed by ``src, source_line`` and holds the new values of
    the columns it has; every read of those columns sees them, so every step
    and table agrees on the corrected title and authors.
    """

    base: CorpusReader
    corrections: pl.DataFrame

    def __post_init__(self) -> None:
        self._by_source = {
            key[0]: part
            for key, part in self.corrections.partition_by("src", as_dict=True, include_key=False).items()
        }
        self._columns = [c for c in self.corrections.columns if c not in ("src", "source_line")]

    @property
    def sources(self) -> pl.DataFrame:
        return self.base.sources

    def entries(self, columns: list[str]) -> Iterator[tuple[int, pl.DataFrame]]:
        replaced = [c for c in columns if c in self._columns]
        for src, frame in self.base.entries(columns):
            fixes = self._by_source.get(src)
            if fixes is None or not replaced:
                yield src, frame
                continue
            patched = frame.join(
                fixes.select("source_line", *replaced), on="source_line", how="left", suffix="__fixed",
                maintain_order="left",
            )
            yield src, patched.with_columns(
                pl.coalesce(f"{c}__fixed", c).alias(c) for c in replaced
            ).select(frame.columns)

    def rejects(self) -> Iterator[tuple[int, pl.DataFrame]]:
        return self.base.rejects()

    def spill(self, partitions: int) -> Spill:
        return self.base.spill(partitions)
