"""The ingest flow: extract -> parse -> model -> publish, orchestrated by Prefect.

The flow is thin on purpose: each task calls one pure transform or one
storage step, so the same work runs (and is tested) without Prefect.  Tasks
pass Polars frames in memory; caching is off because hashing frames to build
cache keys would cost more than the work, and idempotence comes from the
content-derived run id instead (an already-published input set is a no-op).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.extract import Source, SourceError, expand_paths, is_url, read_file, sources_frame
from flows.overrides import load_overrides
from flows.runid import code_fingerprint, run_id_for
from transforms.parse import Parsed, parse_sources
from transforms.tables import build_tables
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.publish import Published, publish, republish
from warehouse.snapshots import read_snapshot, remove_stale_temporaries

#: Fail the run (publish nothing) when more than this share of input lines is rejected...
DEFAULT_MAX_REJECT_SHARE = 0.2
#: ...provided at least this many lines were read (two bad records of five is not a redesign).
REJECT_ALARM_MIN_LINES = 30


class FormatAlarm(RuntimeError):
    """Too many records were rejected: the page format probably changed."""


@dataclass
class RunSummary:
    """What a run did, for the CLI, the logs and (later) the Prefect artifact."""

    run_id: str
    snapshot: str
    published_new: bool
    switched: bool
    n_sources: int
    n_bytes: int
    n_entries: int
    n_rejects: int
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)
    quality: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="extract-sources", cache_policy=NO_CACHE)
def extract_sources(paths: list[str], captured_on: date | None) -> list[Source]:
    """Read every listing file named or found in a named directory."""
    urls = [p for p in paths if is_url(p)]
    if urls:
        raise SourceError(f"URL sources are not supported yet: {urls[0]}")
    files = expand_paths(paths)
    if not files:
        raise SourceError("no listing files found in: " + ", ".join(paths))
    return [read_file(path, captured_on) for path in files]


@task(name="parse-records", cache_policy=NO_CACHE)
def parse_records(sources: list[Source]) -> Parsed:
    """Cut texts into records, parse and normalise them; collect both halves."""
    parsed = parse_sources(sources_frame(sources))
    entries, rejects = pl.collect_all([parsed.entries, parsed.rejects])
    return Parsed(entries=entries.lazy(), rejects=rejects.lazy())


@task(name="check-reject-share", cache_policy=NO_CACHE)
def check_reject_share(parsed: Parsed, max_share: float) -> None:
    """Refuse to publish when the share of rejected input says the format changed.

    Measured in lines, not records: after a redesign no header matches, and a
    whole file becomes one reject group, so a record count would hide it.
    """
    rejected, accepted = _count_lines(parsed.rejects), _count_lines(parsed.entries)
    total = rejected + accepted
    if total >= REJECT_ALARM_MIN_LINES and rejected / total > max_share:
        raise FormatAlarm(
            f"{rejected} of {total} input lines rejected ({rejected / total:.0%} > {max_share:.0%}): "
            "the listing format may have changed; nothing was published "
            "(raise --max-reject-share to publish anyway)"
        )


def _count_lines(frame: pl.LazyFrame) -> int:
    return frame.select(pl.col("raw").str.count_matches("\n").add(1).sum()).collect().item() or 0


@task(name="dedupe-and-model", cache_policy=NO_CACHE)
def dedupe_and_model(
    parsed: Parsed, run_id: str, overrides: pl.DataFrame | None
) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    """Collapse papers, resolve authors and organisations, build every table."""
    return build_tables(parsed, run_id, overrides)


@task(name="publish-snapshot", cache_policy=NO_CACHE)
def publish_snapshot(
    layout: Layout, run_id: str, tables: dict[str, pl.DataFrame], sources: list[Source], quality: dict[str, Any]
) -> Published:
    metadata = {
        "code_fingerprint": code_fingerprint(),
        "quality": quality,
        "sources": [
            {"source_file": s.source_file, "sha256": s.sha256, "bytes": s.n_bytes,
             "captured_on": s.captured_on.isoformat(), "had_decode_errors": s.had_decode_errors}
            for s in sources
        ],
    }
    return publish(layout, run_id, tables, metadata)


@flow(name="paperhouse-ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    home: str,
    captured_on: date | None = None,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    lock_timeout: float = 0.0,
    overrides: str | None = None,
) -> dict[str, Any]:
    """Ingest listing files into the warehouse at ``home``; returns the run summary."""
    started = time.perf_counter()
    layout = Layout.at(home)
    logger = get_run_logger()
    with writer_lock(layout.lock, timeout=lock_timeout):
        remove_stale_temporaries(layout)
        sources = extract_sources(paths, captured_on)
        override_path = Path(overrides) if overrides else layout.overrides
        override_rows = load_overrides(override_path)
        run_id = run_id_for(sources, extra=override_path.read_bytes() if override_rows is not None else b"")
        existing = layout.snapshot(run_id)
        if existing.exists():
            logger.info("inputs unchanged since snapshot %s: nothing to parse", run_id)
            published = republish(layout, read_snapshot(existing))
            rejects = pl.read_parquet(existing / "rejects.parquet")
            table_rows = {k: v["rows"] for k, v in published.snapshot.manifest["tables"].items()}
            quality = published.snapshot.manifest.get("quality", {})
        else:
            parsed = parse_records(sources)
            check_reject_share(parsed, max_reject_share)
            tables, quality = dedupe_and_model(parsed, run_id, override_rows)
            published = publish_snapshot(layout, run_id, tables, sources, quality)
            rejects = tables["rejects"]
            table_rows = {k: v.height for k, v in tables.items()}
    summary = RunSummary(
        run_id=run_id,
        snapshot=str(published.snapshot.path),
        published_new=published.new_snapshot,
        switched=published.switched,
        n_sources=len(sources),
        n_bytes=sum(s.n_bytes for s in sources),
        n_entries=table_rows["listing_entries"],
        n_rejects=table_rows["rejects"],
        rejects_by_reason=dict(Counter(rejects["reason"].to_list())),
        table_rows=table_rows,
        quality=quality,
        seconds=round(time.perf_counter() - started, 3),
    )
    logger.info("run %s: %s", run_id, summary.as_dict())
    return summary.as_dict()
