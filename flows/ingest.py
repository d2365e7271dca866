"""The ingest flow: plan sources -> parse what changed -> model -> publish.

The flow is thin on purpose: each task calls pure transforms or one storage
step, so the work is testable without Prefect (``run_ingest`` with
``PLAIN_STEPS``).  Prefect's result caching is off because hashing frames for
cache keys would cost more than the work: incrementality comes from the
content-keyed parse cache and the content-derived run id instead.  Retries
are only on the network task.
"""

# No `from __future__ import annotations` here: Prefect validates flow parameters
# with pydantic from the real annotation objects, and a deployment run imports this
# module by path, where string annotations such as "date | None" cannot be resolved.
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows import progress
from flows.extract import SourceError, is_url
from flows.guards import FormatAlarm, ShrinkRefused, guard  # noqa: F401 (re-exported for the CLI)
from flows.options import IngestOptions
from flows.overrides import load_overrides
from flows.split_overrides import load_split_overrides
from flows.parsing import BATCH_BYTES, DEFAULT_WORKERS, Batch, ParseRun, ToRead, in_threads, parse_batch
from flows.fetch import Download, fetch, remove_partial_downloads, retry_condition
from flows.planning import (
    PlannedSource,
    carried_urls,
    file_is_url_list,
    plan_files,
    plan_url,
    settle,
    url_list,
)
from flows.runid import parse_fingerprint, publish_fingerprint, run_id_for
from transforms.parse import ParsedChunk
from transforms.tables import build_tables
from warehouse import corpus, parse_cache
from warehouse.faults import pause_point
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.publish import Published, publish, republish
from warehouse.snapshots import diff_ids, read_snapshot, remove_stale_temporaries
from warehouse.sources import SourceState, source_path

@dataclass
class RunSummary:
    """What a run did: for the CLI, the logs and the Prefect artifact."""

    run_id: str
    snapshot: str
    published_new: bool
    switched: bool
    sources: dict[str, int]
    n_sources: int
    n_bytes_read: int
    n_records_parsed: int
    n_entries: int
    n_rejects: int
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)
    papers_added: int = 0
    papers_removed: int = 0
    authors_added: int = 0
    quality: dict[str, Any] = field(default_factory=dict)
    kept_after_shrink: list[dict[str, Any]] = field(default_factory=list)
    skipped_entries: list[dict[str, str]] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="fetch-url", retries=2, retry_delay_seconds=[1, 2], retry_condition_fn=retry_condition,
      cache_policy=NO_CACHE)
def fetch_url(url: str, timeout: float, max_bytes: int, downloads: Path) -> Download:
    """GET one URL into the downloads store; the network is the one place a retry helps
    (and only for failures a retry can cure: timeouts, 5xx, dropped connections)."""
    return fetch(url, timeout=timeout, max_bytes=max_bytes, downloads_dir=downloads)


def _known_sources(layout: Layout) -> dict[str, SourceState]:
    current = layout.current_run_id()
    if current is None:
        return {}
    manifest = read_snapshot(layout.snapshot(current)).manifest
    return {s["source_file"]: SourceState.from_json(s) for s in manifest.get("sources", [])}


@task(name="plan-sources", cache_policy=NO_CACHE)
def plan_sources(
    layout: Layout, options: IngestOptions, fetch: Callable[[str, float, int, Path], Download]
) -> tuple[list[PlannedSource], list[tuple[str, str]]]:
    """Every source this run covers, marked new/changed/unchanged/removed and whether it must be
    parsed, and the directory entries that could not be read."""
    known = _known_sources(layout)
    declared = list(options.paths)
    url_files = [d for d in declared if not is_url(d) and d.endswith(".urls")]
    urls = [d for d in declared if is_url(d)]
    for listing in url_files:
        urls.extend(url_list(Path(listing).read_bytes()))
    planned, skipped = plan_files(
        [d for d in declared if d not in url_files], known, options.captured_on, options.full_refresh
    )
    fetched: set[str] = set()
    today = datetime.now(timezone.utc).date()
    remove_partial_downloads(layout.downloads)
    while urls:
        url = urls.pop(0)
        if url in fetched:
            continue
        fetched.add(url)
        download = fetch(url, options.http_timeout, options.max_download_bytes, layout.downloads)
        if file_is_url_list(download.path):
            urls.extend(url_list(download.path.read_bytes()))
            continue
        planned.append(plan_url(url, download.sha256, download.n_bytes, known, options.captured_on, today))
    planned.extend(carried_urls(fetched, known, options.full_refresh))
    if not any(p.status != "removed" for p in planned):
        raise SourceError("no listing files found in: " + ", ".join(declared))
    return planned, skipped


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch_task(batch: Batch) -> ParsedChunk:
    """Cut and parse one batch of pieces (pure: runs on any worker)."""
    return parse_batch(batch)


def on_task_runner(window: int) -> Callable[[Iterable[Batch]], Iterator[ParsedChunk]]:
    """Parse batches as Prefect tasks on the flow's task runner (e.g. a Dask cluster),
    keeping ``window`` batches in flight and yielding results in order."""

    def run(work: Iterable[Batch]) -> Iterator[ParsedChunk]:
        pending = []
        for batch in work:
            pending.append(parse_batch_task.submit(batch))
            if len(pending) > window:
                yield pending.pop(0).result()
        while pending:
            yield pending.pop(0).result()

    return run


@task(name="parse-sources", cache_policy=NO_CACHE)
def parse_sources(
    layout: Layout, planned: list[PlannedSource], known: dict[str, SourceState],
    parallel: Callable[[Iterable[Batch]], Iterator[ParsedChunk]], batch_bytes: int | None = None,
) -> tuple[list[PlannedSource], set[int]]:
    """Parse every source that must be parsed (and is not cached already) into the parse cache.

    Returns the plan with each parsed source's state settled from the bytes read
    (its hash, size and record counts), and which of them were parsed.
    """
    fingerprint = parse_fingerprint()
    todo = [i for i, p in enumerate(planned) if p.status != "removed" and (p.must_parse or not _cached(layout, p, fingerprint))]
    sources = [ToRead(source_path(layout.downloads, planned[i].state), planned[i].state.captured_on) for i in todo]
    total = sum(planned[i].state.n_bytes for i in todo)
    with progress.stage("parsing", total_bytes=total) as bar:
        run = ParseRun(layout, fingerprint, parallel, on_progress=bar.advance, batch_bytes=batch_bytes or BATCH_BYTES)
        results = run.run(sources)
    settled = list(planned)
    for position, index in enumerate(todo):
        result = results[position]
        settled[index] = settle(
            planned[index], result.key.sha256, result.n_bytes,
            (result.n_entries, result.n_rejects, result.n_reject_lines), known.get(planned[index].state.source_file),
        )
    return settled, set(todo)


def _cached_previous(layout: Layout, known: dict[str, SourceState]) -> set[str]:
    """Known sources whose previous parse is still in the cache (under this parse code)."""
    fingerprint = parse_fingerprint()
    return {
        name for name, state in known.items()
        if parse_cache.exists(layout, parse_cache.CacheKey(fingerprint, state.sha256, state.captured_on))
    }


def _cached(layout: Layout, planned: PlannedSource, fingerprint: str) -> bool:
    """The source's bytes were parsed before by this parse code (else, e.g. after an
    upgrade or a pruned cache, an unchanged source is parsed again)."""
    state = planned.state
    return bool(state.sha256) and parse_cache.exists(
        layout, parse_cache.CacheKey(fingerprint, state.sha256, state.captured_on)
    )


@task(name="dedupe-and-model", cache_policy=NO_CACHE)
def dedupe_and_model(
    layout: Layout, live: list[SourceState], run_id: str, overrides: pl.DataFrame | None,
    split_overrides: pl.DataFrame | None = None,
) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    """Decide splits, collapse papers, resolve authors and organisations, build every table."""
    return build_tables(corpus.load(layout, parse_fingerprint(), live), run_id, overrides, stream=True,
                        split_overrides=split_overrides)


@task(name="publish-snapshot", cache_policy=NO_CACHE)
def publish_snapshot(
    layout: Layout, run_id: str, tables: dict[str, pl.DataFrame], live: list[SourceState], quality: dict[str, Any],
) -> Published:
    reasons: dict[str, int] = {}  # filled while the rejects stream is written, before the manifest is
    metadata = {
        "code_fingerprint": publish_fingerprint(),
        "parse_fingerprint": parse_fingerprint(),
        "quality": quality,
        "sources": [s.to_json() for s in live],
        "rejects_by_reason": reasons,
    }
    return publish(layout, run_id, {**tables, "rejects": _count_reasons(tables["rejects"], reasons)}, metadata)


def _count_reasons(frames: Iterable[pl.DataFrame] | pl.DataFrame, into: dict[str, int]) -> Iterator[pl.DataFrame]:
    """Pass the rejects through, counting them by reason into ``into``."""
    for frame in [frames] if isinstance(frames, pl.DataFrame) else frames:
        for reason, n in frame.group_by("reason").len().iter_rows():
            into[reason] = into.get(reason, 0) + n
        yield frame


@task(name="report-run", cache_policy=NO_CACHE)
def report_run(summary: RunSummary) -> None:
    """Publish the run summary as a Prefect markdown artifact."""
    from flows.summary import summary_markdown

    create_markdown_artifact(
        markdown=summary_markdown(summary.as_dict()),
        key="paperhouse-ingest",
        description=f"ingest run {summary.run_id}",
    )


@dataclass(frozen=True)
class Steps:
    """How each step is invoked: as Prefect tasks inside the flow, or as plain
    functions (the benchmark measures the pipeline's own work without Prefect)."""

    plan_sources: Callable[..., tuple[list[PlannedSource], list[tuple[str, str]]]]
    fetch: Callable[[str, float, int, Path], Download]
    parse_sources: Callable[..., tuple[list[PlannedSource], set[int]]]
    dedupe_and_model: Callable[..., tuple[dict[str, pl.DataFrame], dict[str, Any]]]
    publish_snapshot: Callable[..., Published]
    report_run: Callable[[RunSummary], None]


TASK_STEPS = Steps(
    plan_sources=plan_sources, fetch=fetch_url, parse_sources=parse_sources,
    dedupe_and_model=dedupe_and_model, publish_snapshot=publish_snapshot, report_run=report_run,
)
PLAIN_STEPS = Steps(
    plan_sources=plan_sources.fn, fetch=fetch_url.fn, parse_sources=parse_sources.fn,
    dedupe_and_model=dedupe_and_model.fn, publish_snapshot=publish_snapshot.fn, report_run=lambda summary: None,
)


@flow(name="paperhouse-ingest", log_prints=False)
def ingest_flow(home: str, options: IngestOptions, distributed: bool = False) -> dict[str, Any]:
    """Ingest listing files/URLs into the warehouse at ``home``; returns the run summary.

    With ``distributed``, parse batches are submitted to the flow's task runner
    (a Dask cluster, see flows/distributed.py) instead of local threads.
    """
    parallel = on_task_runner(window=8) if distributed else None
    return run_ingest(TASK_STEPS, get_run_logger(), home=home, options=options, parallel=parallel)


def run_ingest(
    steps: Steps,
    logger: logging.Logger | logging.LoggerAdapter,
    *,
    home: str,
    options: IngestOptions,
    parallel: Callable[[Iterable[Batch]], Iterator[ParsedChunk]] | None = None,
) -> dict[str, Any]:
    """The body of the flow, with the step invocation left to the caller."""
    started = time.perf_counter()
    stages: dict[str, float] = {}
    layout = Layout.at(home)
    lock = _no_lock() if options.lock_held else writer_lock(layout.lock, timeout=options.lock_timeout)
    with lock:
        pause_point("after-lock")
        remove_stale_temporaries(layout)
        parse_cache.remove_temporaries(layout)
        corpus.remove_stale_spills(layout)
        previous = layout.current_run_id()
        known = _known_sources(layout)
        with _timed(stages, "planning"), progress.stage("planning"):
            planned, skipped = steps.plan_sources(layout, options, steps.fetch)
        override_path = Path(options.overrides) if options.overrides else layout.overrides
        override_rows = load_overrides(override_path)
        split_path = Path(options.split_overrides) if options.split_overrides else layout.split_overrides
        split_rows = load_split_overrides(split_path)
        with _timed(stages, "parsing"):
            planned, parsed = steps.parse_sources(
                layout, planned, known, parallel or in_threads(options.workers or DEFAULT_WORKERS),
                options.batch_bytes,
            )
            planned, guarded = guard(
                planned, parsed, known, accept_shrink=options.accept_shrink,
                max_reject_share=options.max_reject_share, keepable=_cached_previous(layout, known),
            )
        n_parsed = sum((planned[i].state.n_entries or 0) + (planned[i].state.n_rejects or 0) for i in parsed)
        live = [p.state for p in planned if p.status != "removed"]
        run_id = run_id_for(live, extra=(override_path.read_bytes() if override_rows is not None else b"")
                            + b"\x00" + (split_path.read_bytes() if split_rows is not None else b""))
        statuses = Counter(p.status for p in planned)
        pause_point("during-parse")
        if layout.snapshot(run_id).joinpath("_snapshot.json").exists():
            logger.info("inputs unchanged since snapshot %s: nothing to build", run_id)
            snapshot = read_snapshot(layout.snapshot(run_id))
            published = republish(layout, snapshot)
            rejects_by_reason = snapshot.manifest.get("rejects_by_reason", {})
            table_rows = {k: v["rows"] for k, v in snapshot.manifest["tables"].items()}
            quality = snapshot.manifest.get("quality", {})
        else:
            with _timed(stages, "resolving"), progress.stage("resolving"):
                tables, quality = steps.dedupe_and_model(layout, live, run_id, override_rows, split_rows)
            with _timed(stages, "writing"), progress.stage("writing") as writing:
                published = steps.publish_snapshot(layout, run_id, _counting(tables, writing), live, quality)
            rejects_by_reason = published.snapshot.manifest["rejects_by_reason"]
            table_rows = {k: v["rows"] for k, v in published.snapshot.manifest["tables"].items()}
        papers_added, papers_removed = diff_ids(layout, previous, run_id, "papers", "paper_id")
        authors_added, _ = diff_ids(layout, previous, run_id, "authors", "author_id")
    summary = RunSummary(
        run_id=run_id,
        snapshot=str(published.snapshot.path),
        published_new=published.new_snapshot,
        switched=published.switched,
        sources={s: statuses.get(s, 0) for s in ("new", "changed", "unchanged", "removed")},
        n_sources=len(live),
        n_bytes_read=sum(p.state.n_bytes for p in planned if p.was_read),
        n_records_parsed=n_parsed,
        n_entries=table_rows["listing_entries"],
        n_rejects=table_rows["rejects"],
        rejects_by_reason=rejects_by_reason,
        table_rows=table_rows,
        papers_added=papers_added,
        papers_removed=papers_removed,
        authors_added=authors_added,
        quality=quality,
        kept_after_shrink=[{"source": s, "records_before": a, "records_now": b} for s, a, b in guarded.kept],
        skipped_entries=[{"path": path, "reason": reason} for path, reason in skipped],
        quarantined=guarded.quarantined,
        stages={k: round(v, 3) for k, v in stages.items()},
        seconds=round(time.perf_counter() - started, 3),
    )
    steps.report_run(summary)
    logger.info("run %s: %s", run_id, summary.as_dict())
    return summary.as_dict()


def _counting(tables: dict[str, Any], stage: progress.Stage) -> dict[str, Any]:
    """The tables, with the streamed ones reporting their rows as they are written."""

    def counted(frames: Iterable[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        for frame in frames:
            stage.advance(n_entries=frame.height)
            yield frame

    return {name: t if isinstance(t, pl.DataFrame) else counted(t) for name, t in tables.items()}


class _no_lock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class _timed:
    """Add the block's wall time to ``stages[name]``."""

    def __init__(self, stages: dict[str, float], name: str) -> None:
        self.stages, self.name = stages, name

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.stages[self.name] = self.stages.get(self.name, 0.0) + time.perf_counter() - self.started
