"""The ingest flow: plan sources -> fetch -> parse (changed only) -> model -> publish.

The flow is thin on purpose: each task calls pure transforms or one storage
step, so the work is testable without Prefect.  Tasks pass Polars frames in
memory; Prefect's result caching is off because hashing frames for cache keys
would cost more than the work -- incrementality comes from the content-hashed
parse cache and the content-derived run id instead.  Retries are only on the
network task.
"""

# No `from __future__ import annotations` here: Prefect validates flow parameters
# with pydantic from the real annotation objects, and a deployment run imports this
# module by path, where string annotations such as "date | None" cannot be resolved.
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.extract import SourceError, decode, is_url
from flows.overrides import load_overrides
from flows.runid import code_fingerprint, run_id_for
from flows.sources import (
    PlannedSource,
    SourceState,
    carried_urls,
    is_url_list,
    plan_files,
    plan_url,
    store_download,
    url_list,
    source_bytes,
)
from transforms.parse import Parsed, parse_sources
from transforms.tables import build_tables
from warehouse import parse_cache
from warehouse.faults import pause_point
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.publish import Published, publish, republish
from warehouse.snapshots import read_snapshot, remove_stale_temporaries

#: Fail the run (publish nothing) when more than this share of newly parsed lines is rejected...
DEFAULT_MAX_REJECT_SHARE = 0.2
#: ...provided at least this many lines were parsed (two bad records of five is not a redesign).
REJECT_ALARM_MIN_LINES = 30
DEFAULT_HTTP_TIMEOUT = 20.0


class FormatAlarm(RuntimeError):
    """Too much of the new input was rejected: the page format probably changed."""


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
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@task(name="fetch-url", retries=2, retry_delay_seconds=[1, 2], cache_policy=NO_CACHE)
def fetch_url(url: str, timeout: float) -> bytes:
    """GET one URL; the network is the one place a retry helps."""
    response = httpx.get(url, timeout=timeout, follow_redirects=True)
    response.raise_for_status()
    return response.content


def _known_sources(layout: Layout) -> dict[str, SourceState]:
    current = layout.current_run_id()
    if current is None:
        return {}
    manifest = read_snapshot(layout.snapshot(current)).manifest
    return {s["source_file"]: SourceState.from_json(s) for s in manifest.get("sources", [])}


@task(name="plan-sources", cache_policy=NO_CACHE)
def plan_sources(
    layout: Layout, declared: list[str], captured_on: date | None, full_refresh: bool, http_timeout: float,
    fetch: Callable[[str, float], bytes],
) -> list[PlannedSource]:
    """Every source this run covers, marked new/changed/unchanged/removed."""
    known = _known_sources(layout)
    url_files = [d for d in declared if not is_url(d) and d.endswith(".urls")]
    urls = [d for d in declared if is_url(d)]
    for listing in url_files:
        urls.extend(url_list(Path(listing).read_bytes()))
    planned = plan_files([d for d in declared if d not in url_files], known, captured_on, full_refresh)
    fetched: set[str] = set()
    while urls:
        url = urls.pop(0)
        if url in fetched:
            continue
        fetched.add(url)
        data = fetch(url, http_timeout)
        if is_url_list(data):
            urls.extend(url_list(data))
            continue
        store_download(layout.downloads, data)
        planned.append(plan_url(url, data, known, captured_on))
    planned.extend(carried_urls(fetched, known))
    if not any(p.status != "removed" for p in planned):
        raise SourceError("no listing files found in: " + ", ".join(declared))
    return planned


@dataclass
class ParsePlan:
    """Cached parses to reuse, and the sources that still need parsing."""

    cached_entries: list[pl.DataFrame]
    cached_rejects: list[pl.DataFrame]
    to_parse: list[PlannedSource]


@task(name="load-cached-parses", cache_policy=NO_CACHE)
def load_cached_parses(layout: Layout, planned: list[PlannedSource], full_refresh: bool) -> ParsePlan:
    """Reuse the parse of every source whose bytes and capture date were parsed before."""
    fp = code_fingerprint()
    plan = ParsePlan([], [], [])
    for source in planned:
        if source.status == "removed":
            continue
        state = source.state
        hit = None if full_refresh else parse_cache.load(
            layout, fp, state.sha256, state.captured_on.isoformat(), state.source_file, without=["abstract"]
        )
        if hit is None:
            plan.to_parse.append(source)
        else:
            plan.cached_entries.append(hit[0])
            plan.cached_rejects.append(hit[1])
    return plan


#: Single-process parsing works through the input in batches of about this many
#: bytes: large enough to keep every step vectorised, small enough to bound the
#: parser's intermediate frames (a few times the batch) whatever the input size.
BATCH_BYTES = 64 * 1024 * 1024


def parse_batches(
    downloads: Path, sources: list[PlannedSource], n_batches: int
) -> Iterator[tuple[list[PlannedSource], pl.DataFrame]]:
    """The parser's input frames: batches of whole files, about BATCH_BYTES each,
    or ``n_batches`` round-robin groups for parallel workers.

    Records never span files, so any grouping of whole files parses the same.
    """
    if n_batches <= 1:
        groups: list[list[PlannedSource]] = [[]]
        size = 0
        for source in sources:
            if groups[-1] and size + source.state.n_bytes > BATCH_BYTES:
                groups.append([])
                size = 0
            groups[-1].append(source)
            size += source.state.n_bytes
        for group in groups:  # a generator: each batch is read only when it is parsed
            yield from _batch_frames(downloads, group, 1)
        return
    yield from _batch_frames(downloads, sources, n_batches)


def _batch_frames(
    downloads: Path, sources: list[PlannedSource], n_batches: int
) -> list[tuple[list[PlannedSource], pl.DataFrame]]:
    decoded = [decode(source_bytes(downloads, s.state)) for s in sources]
    frame = pl.DataFrame(
        {
            "source_file": [s.state.source_file for s in sources],
            "text": [text for text, _ in decoded],
            "captured_on": [s.state.captured_on for s in sources],
            "invalid_lines": [lines for _, lines in decoded],
        },
        schema={"source_file": pl.String, "text": pl.String, "captured_on": pl.Date,
                "invalid_lines": pl.List(pl.Int64)},
    )
    n = max(1, min(n_batches, frame.height))
    return [
        ([sources[j] for j in range(i, frame.height, n)], frame.gather(list(range(i, frame.height, n))))
        for i in range(n)
    ]


@task(name="parse-batch", cache_policy=NO_CACHE)
def parse_batch(batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cut, parse and normalise one batch of listing texts (pure: runs on any worker)."""
    parsed = parse_sources(batch.lazy())
    entries, rejects = pl.collect_all([parsed.entries, parsed.rejects])
    return entries, rejects


@task(name="cache-parses", cache_policy=NO_CACHE)
def cache_parses(layout: Layout, sources: list[PlannedSource], entries: pl.DataFrame, rejects: pl.DataFrame) -> None:
    """Keep each freshly parsed source's records for the next incremental run."""
    fp = code_fingerprint()
    by_file_e = entries.partition_by("source_file", as_dict=True)
    by_file_r = rejects.partition_by("source_file", as_dict=True)
    for source in sources:
        key = (source.state.source_file,)
        parse_cache.store(
            layout, fp, source.state.sha256, source.state.captured_on.isoformat(),
            by_file_e.get(key, entries.clear()), by_file_r.get(key, rejects.clear()),
        )


def parse_records(
    steps: "Steps", layout: Layout, planned: list[PlannedSource], full_refresh: bool, n_batches: int
) -> tuple[Parsed, Parsed, pl.LazyFrame]:
    """Parse what changed (in parallel batches when a distributed runner is set),
    reuse the cached parse of the rest.

    Returns (all records, freshly parsed ones, abstracts).  Abstracts are most of
    a record's bytes and only the final ``papers`` table needs them, so each
    batch is cached as soon as it is parsed and the records kept in memory are
    light: ``abstracts`` scans them back from the parse cache when needed.
    """
    plan = steps.load_cached_parses(layout, planned, full_refresh)
    fresh: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    batches = parse_batches(layout.downloads, plan.to_parse, n_batches) if plan.to_parse else iter(())
    if n_batches > 1:  # a cluster: every batch submitted at once, then gathered
        pending = list(batches)
        parsed = zip([group for group, _ in pending], steps.parse_many([frame for _, frame in pending]))
    else:  # one batch at a time, so memory is bounded by a batch, not by the input
        parsed = ((group, steps.parse_one(frame)) for group, frame in batches)
    for group, (entries, rejects) in parsed:
        steps.cache_parses(layout, group, entries, rejects)
        fresh.append((entries.drop("abstract"), rejects))
    if not fresh:
        empty_entries, empty_rejects = _empty_parse()
        fresh = [(empty_entries.drop("abstract"), empty_rejects)]
    fresh_entries = pl.concat([e for e, _ in fresh], how="vertical_relaxed")
    fresh_rejects = pl.concat([r for _, r in fresh], how="vertical_relaxed")
    pause_point("during-parse")
    entries = pl.concat([*plan.cached_entries, fresh_entries], how="vertical_relaxed")
    rejects = pl.concat([*plan.cached_rejects, fresh_rejects], how="vertical_relaxed")
    live = [p.state for p in planned if p.status != "removed"]
    return (
        Parsed(entries=entries.lazy(), rejects=rejects.lazy()),
        Parsed(entries=fresh_entries.lazy(), rejects=fresh_rejects.lazy()),
        parse_cache.scan_abstracts(layout, code_fingerprint(), live),
    )


def _empty_parse() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Zero-row frames with the parser's schemas (for runs with nothing to parse)."""
    empty = pl.DataFrame(
        schema={"source_file": pl.String, "text": pl.String, "captured_on": pl.Date,
                "invalid_lines": pl.List(pl.Int64)},
    )
    parsed = parse_sources(empty.lazy())
    entries, rejects = pl.collect_all([parsed.entries, parsed.rejects])
    return entries, rejects


def _count_lines(frame: pl.LazyFrame) -> int:
    """Input lines behind parsed entries (always three) or rejects (their raw text)."""
    if "raw" not in frame.collect_schema().names():
        return 3 * frame.select(pl.len()).collect().item()
    return frame.select(pl.col("raw").str.count_matches("\n").add(1).sum()).collect().item() or 0


@task(name="check-reject-share", cache_policy=NO_CACHE)
def check_reject_share(fresh: Parsed, max_share: float) -> None:
    """Refuse to publish when the share of rejected new input says the format changed.

    Measured in lines, not records: after a redesign no header matches and a
    whole file becomes one reject group, so a record count would hide it.
    """
    rejected, accepted = _count_lines(fresh.rejects), _count_lines(fresh.entries)
    total = rejected + accepted
    if total >= REJECT_ALARM_MIN_LINES and rejected / total > max_share:
        raise FormatAlarm(
            f"{rejected} of {total} newly read lines rejected ({rejected / total:.0%} > {max_share:.0%}): "
            "the listing format may have changed; nothing was published "
            "(raise --max-reject-share to publish anyway)"
        )


@task(name="dedupe-and-model", cache_policy=NO_CACHE)
def dedupe_and_model(
    parsed: Parsed, run_id: str, overrides: pl.DataFrame | None, abstracts: pl.LazyFrame | None = None
) -> tuple[dict[str, pl.DataFrame], dict[str, Any]]:
    """Collapse papers, resolve authors and organisations, build every table."""
    return build_tables(parsed, run_id, overrides, abstracts)


@task(name="publish-snapshot", cache_policy=NO_CACHE)
def publish_snapshot(
    layout: Layout, run_id: str, tables: dict[str, pl.DataFrame], planned: list[PlannedSource],
    quality: dict[str, Any],
) -> Published:
    metadata = {
        "code_fingerprint": code_fingerprint(),
        "quality": quality,
        "sources": [p.state.to_json() for p in planned if p.status != "removed"],
    }
    return publish(layout, run_id, tables, metadata)


def _diff_ids(layout: Layout, previous: str | None, table: str, column: str) -> tuple[int, int]:
    """(added, removed) ids of ``table`` between the previous and the current snapshot."""
    now = pl.read_parquet(layout.current / f"{table}.parquet", columns=[column])
    if previous is None or not (layout.snapshot(previous) / f"{table}.parquet").exists():
        return now.height, 0
    before = pl.read_parquet(layout.snapshot(previous) / f"{table}.parquet", columns=[column])
    return now.join(before, on=column, how="anti").height, before.join(now, on=column, how="anti").height


@task(name="report-run", cache_policy=NO_CACHE)
def report_run(summary: RunSummary) -> None:
    """Publish the run summary as a Prefect markdown artifact."""
    rows = [
        ("snapshot", f"`{summary.run_id}`" + ("" if summary.published_new else " (unchanged: nothing new)")),
        ("sources", ", ".join(f"{k} {v}" for k, v in summary.sources.items())),
        ("bytes read", f"{summary.n_bytes_read:,}"),
        ("records parsed this run", f"{summary.n_records_parsed:,}"),
        ("records in warehouse", f"{summary.n_entries:,}"),
        ("rejects", f"{summary.n_rejects:,}"),
        *[(f"rejects: {reason}", str(n)) for reason, n in sorted(summary.rejects_by_reason.items())],
        ("papers added / removed", f"{summary.papers_added} / {summary.papers_removed}"),
        ("authors added", str(summary.authors_added)),
        *[(f"quality: {k}", str(v)) for k, v in summary.quality.items()],
        ("seconds", f"{summary.seconds:.2f}"),
    ]
    table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    create_markdown_artifact(
        markdown=f"# paperhouse ingest\n\n{table}\n",
        key="paperhouse-ingest",
        description=f"ingest run {summary.run_id}",
    )


@dataclass(frozen=True)
class Steps:
    """How each step is invoked: as Prefect tasks inside the flow, or as plain
    functions (the benchmark measures the pipeline's own work without Prefect)."""

    plan_sources: Callable[..., list[PlannedSource]]
    fetch: Callable[[str, float], bytes]
    load_cached_parses: Callable[..., ParsePlan]
    parse_one: Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]]
    parse_many: Callable[[list[pl.DataFrame]], list[tuple[pl.DataFrame, pl.DataFrame]]]
    cache_parses: Callable[..., None]
    check_reject_share: Callable[..., None]
    dedupe_and_model: Callable[..., tuple[dict[str, pl.DataFrame], dict[str, Any]]]
    publish_snapshot: Callable[..., Published]
    report_run: Callable[[RunSummary], None]


def _submit_all(batches: list[pl.DataFrame]) -> list[tuple[pl.DataFrame, pl.DataFrame]]:
    """Submit every batch to the flow's task runner (a Dask cluster), then gather."""
    futures = [parse_batch.submit(batch) for batch in batches]
    return [future.result() for future in futures]


TASK_STEPS = Steps(
    plan_sources=plan_sources, fetch=fetch_url, load_cached_parses=load_cached_parses,
    parse_one=parse_batch, parse_many=_submit_all, cache_parses=cache_parses, check_reject_share=check_reject_share,
    dedupe_and_model=dedupe_and_model, publish_snapshot=publish_snapshot, report_run=report_run,
)
PLAIN_STEPS = Steps(
    plan_sources=plan_sources.fn, fetch=fetch_url.fn, load_cached_parses=load_cached_parses.fn,
    parse_one=parse_batch.fn, parse_many=lambda batches: [parse_batch.fn(b) for b in batches],
    cache_parses=cache_parses.fn,
    check_reject_share=check_reject_share.fn, dedupe_and_model=dedupe_and_model.fn,
    publish_snapshot=publish_snapshot.fn, report_run=lambda summary: None,
)


@flow(name="paperhouse-ingest", log_prints=False)
def ingest_flow(
    paths: list[str],
    home: str,
    captured_on: date | None = None,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    lock_timeout: float = 0.0,
    overrides: str | None = None,
    full_refresh: bool = False,
    http_timeout: float = DEFAULT_HTTP_TIMEOUT,
    parse_batches_n: int = 1,
) -> dict[str, Any]:
    """Ingest listing files/URLs into the warehouse at ``home``; returns the run summary."""
    return run_ingest(
        TASK_STEPS, get_run_logger(), paths=paths, home=home, captured_on=captured_on,
        max_reject_share=max_reject_share, lock_timeout=lock_timeout, overrides=overrides,
        full_refresh=full_refresh, http_timeout=http_timeout, parse_batches_n=parse_batches_n,
    )


def run_ingest(
    steps: Steps,
    logger: logging.Logger | logging.LoggerAdapter,
    *,
    paths: list[str],
    home: str,
    captured_on: date | None = None,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    lock_timeout: float = 0.0,
    overrides: str | None = None,
    full_refresh: bool = False,
    http_timeout: float = DEFAULT_HTTP_TIMEOUT,
    parse_batches_n: int = 1,
) -> dict[str, Any]:
    """The body of the flow, with the step invocation left to the caller."""
    started = time.perf_counter()
    layout = Layout.at(home)
    with writer_lock(layout.lock, timeout=lock_timeout):
        pause_point("after-lock")
        remove_stale_temporaries(layout)
        previous = layout.current_run_id()
        planned = steps.plan_sources(layout, paths, captured_on, full_refresh, http_timeout, steps.fetch)
        override_path = Path(overrides) if overrides else layout.overrides
        override_rows = load_overrides(override_path)
        run_id = run_id_for(
            [p.state for p in planned if p.status != "removed"],
            extra=override_path.read_bytes() if override_rows is not None else b"",
        )
        statuses = Counter(p.status for p in planned)
        n_parsed = 0
        if layout.snapshot(run_id).exists() and not full_refresh:
            logger.info("inputs unchanged since snapshot %s: nothing to parse", run_id)
            snapshot = read_snapshot(layout.snapshot(run_id))
            published = republish(layout, snapshot)
            rejects = pl.read_parquet(snapshot.path / "rejects.parquet", columns=["reason"])
            table_rows = {k: v["rows"] for k, v in snapshot.manifest["tables"].items()}
            quality = snapshot.manifest.get("quality", {})
        else:
            everything, fresh, abstracts = parse_records(steps, layout, planned, full_refresh, parse_batches_n)
            n_parsed = fresh.entries.select(pl.len()).collect().item() + fresh.rejects.select(pl.len()).collect().item()
            steps.check_reject_share(fresh, max_reject_share)
            tables, quality = steps.dedupe_and_model(everything, run_id, override_rows, abstracts)
            published = steps.publish_snapshot(layout, run_id, tables, planned, quality)
            rejects = tables["rejects"]
            table_rows = {k: v.height for k, v in tables.items()}
        papers_added, papers_removed = _diff_ids(layout, previous, "papers", "paper_id")
        authors_added, _ = _diff_ids(layout, previous, "authors", "author_id")
    summary = RunSummary(
        run_id=run_id,
        snapshot=str(published.snapshot.path),
        published_new=published.new_snapshot,
        switched=published.switched,
        sources={s: statuses.get(s, 0) for s in ("new", "changed", "unchanged", "removed")},
        n_sources=sum(v for k, v in statuses.items() if k != "removed"),
        n_bytes_read=sum(p.state.n_bytes for p in planned if p.was_read),
        n_records_parsed=n_parsed,
        n_entries=table_rows["listing_entries"],
        n_rejects=table_rows["rejects"],
        rejects_by_reason=dict(Counter(rejects["reason"].to_list())),
        table_rows=table_rows,
        papers_added=papers_added,
        papers_removed=papers_removed,
        authors_added=authors_added,
        quality=quality,
        seconds=round(time.perf_counter() - started, 3),
    )
    steps.report_run(summary)
    logger.info("run %s: %s", run_id, summary.as_dict())
    return summary.as_dict()
