"""Read the parsed records of every live source back from the parse cache.

The global steps (dedupe, author resolution, tables) see every record of the
warehouse, but not every column: abstracts are most of a record's bytes and
only the ``papers`` table needs them, for one entry per paper.  So records are
loaded *light* and abstracts stay on disk, scanned lazily when the papers
table is built.  Sources are numbered (``src``) in the order of their names,
which is the published order of ``listing_entries``.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from transforms.parse import ENTRY_SCHEMA, REJECT_SCHEMA
from transforms.tables import Corpus
from warehouse import parse_cache
from warehouse.layout import Layout
from warehouse.sources import SourceState

#: Columns the global steps never need in memory.
HEAVY_COLUMNS = ("abstract",)


def cache_key(parse_fingerprint: str, state: SourceState) -> parse_cache.CacheKey:
    return parse_cache.CacheKey(parse_fingerprint, state.sha256, state.captured_on)


def load(layout: Layout, parse_fingerprint: str, live: list[SourceState]) -> Corpus:
    """Every live source's parse, light, as one corpus."""
    ordered = sorted(live, key=lambda s: s.source_file)
    light = [c for c in ENTRY_SCHEMA if c not in HEAVY_COLUMNS]
    sources = pl.DataFrame(
        {
            "src": list(range(len(ordered))),
            "source_file": [s.source_file for s in ordered],
            "captured_on": [s.captured_on for s in ordered],
        },
        schema={"src": pl.UInt32, "source_file": pl.String, "captured_on": pl.Date},
    )
    if not ordered:
        empty_entries = pl.DataFrame(schema={"src": pl.UInt32, **{c: ENTRY_SCHEMA[c] for c in light}})
        empty_rejects = pl.DataFrame(schema={"src": pl.UInt32, **REJECT_SCHEMA})
        return Corpus(empty_entries, empty_rejects, sources, lambda: iter(()))
    keys = [cache_key(parse_fingerprint, state) for state in ordered]
    entries, rejects = [], []
    for src, key in enumerate(keys):
        number = pl.lit(src, dtype=pl.UInt32).alias("src")
        entries.append(parse_cache.scan(layout, key).select(number, *light))
        rejects.append(parse_cache.scan(layout, key, parse_cache.REJECTS).select(number, *REJECT_SCHEMA))
    loaded_entries, loaded_rejects = pl.collect_all([pl.concat(entries), pl.concat(rejects)])

    def abstracts() -> Iterator[pl.DataFrame]:
        for src, key in enumerate(keys):
            for chunk in parse_cache.iter_chunks(layout, key, ["source_line", "abstract"]):
                yield chunk.with_columns(pl.lit(src, dtype=pl.UInt32).alias("src"))

    return Corpus(loaded_entries, loaded_rejects, sources, abstracts)
