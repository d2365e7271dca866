"""One renderer for a run's summary: the terminal table and the Prefect artifact.

The summary is the dict ``run_ingest`` returns (``RunSummary.as_dict()``).
Both the CLI and the flow's markdown artifact render it from
:func:`summary_rows`, so the two never disagree about what a run did.
Keys this module does not know yet (the summary grows) are still shown,
generically, rather than silently dropped.  Pure: no I/O, no Prefect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Keys rendered by a dedicated row (or deliberately folded into another one).
_KNOWN = frozenset({
    "run_id", "snapshot", "published_new", "switched", "sources", "n_sources", "n_bytes_read",
    "n_records_parsed", "n_entries", "n_rejects", "rejects_by_reason", "table_rows", "papers_added",
    "papers_removed", "authors_added", "quality", "seconds", "stages", "wall_seconds", "command_seconds",
    "kept_after_shrink", "quarantined",
})
#: The order the four source states are listed in.
SOURCE_STATES = ("new", "changed", "unchanged", "removed")


def verdict(summary: Mapping[str, Any]) -> str:
    """What the run did to the warehouse, in a few words."""
    if summary.get("published_new"):
        return "published new snapshot"
    if summary.get("switched"):
        return "inputs match an earlier snapshot: switched back to it"
    return "inputs unchanged: no new snapshot"


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _seconds(value: Any) -> str:
    return f"{float(value):.2f} s"


def _plain(value: Any) -> str:
    """A generic rendering for keys without a dedicated row."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items()) or "none"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_plain(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:.3f}"
    return _count(value)


def quality_rows(quality: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Author-resolution quality, as (label, value) rows."""
    if not quality:
        return []
    merges = ", ".join(f"{rule} {n}" for rule, n in quality.get("merges_by_rule", {}).items()) or "none"
    rows = [
        ("author mentions", _count(quality.get("mentions"))),
        ("persons / groups", f'{_count(quality.get("persons"))} / {_count(quality.get("groups"))}'),
        ("merged forms by rule", merges),
        ("low-confidence merges", _count(quality.get("low_confidence_merges"))),
        ("ambiguous names", _count(quality.get("ambiguous_names"))),
        ("possible matches left apart", _count(quality.get("possible_matches_left_apart"))),
    ]
    shown = {"mentions", "persons", "groups", "merges_by_rule", "low_confidence_merges", "ambiguous_names",
             "possible_matches_left_apart"}
    rows += [(f"quality: {k.replace('_', ' ')}", _plain(v)) for k, v in quality.items() if k not in shown]
    return rows


def time_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Work time (the pipeline's own), its stages, and wall time (what the user waited)."""
    rows: list[tuple[str, str]] = []
    if "seconds" in summary:
        rows.append(("work time", _seconds(summary["seconds"])))
    for stage, seconds in (summary.get("stages") or {}).items():
        rows.append((f"stage: {stage}", _seconds(seconds)))
    if summary.get("wall_seconds") is not None:
        rows.append(("wall time (flow)", _seconds(summary["wall_seconds"])))
    if summary.get("command_seconds") is not None:
        rows.append(("wall time (command, with Prefect start-up)", _seconds(summary["command_seconds"])))
    return rows


def summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The run summary as (label, value) rows, in reading order."""
    sources = summary.get("sources") or {}
    rows: list[tuple[str, str]] = [
        ("run id", str(summary.get("run_id", ""))),
        ("snapshot", str(summary.get("snapshot", ""))),
        ("sources", ", ".join(f"{state} {_count(sources.get(state, 0))}" for state in SOURCE_STATES)),
        ("sources in warehouse", _count(summary.get("n_sources", sum(v for k, v in sources.items() if k != "removed")))),
        ("bytes read", _count(summary.get("n_bytes_read", 0))),
        ("records parsed this run", _count(summary.get("n_records_parsed", 0))),
        ("records in warehouse", _count(summary.get("n_entries", 0))),
        ("records rejected", _count(summary.get("n_rejects", 0))),
        *[(f"rejected: {reason}", _count(n)) for reason, n in sorted((summary.get("rejects_by_reason") or {}).items())],
        ("papers added / removed", f'{_count(summary.get("papers_added", 0))} / {_count(summary.get("papers_removed", 0))}'),
        ("authors added", _count(summary.get("authors_added", 0))),
        *[(f"table {name}", f"{_count(n)} rows") for name, n in (summary.get("table_rows") or {}).items()],
        *quality_rows(summary.get("quality") or {}),
        *[(f"kept previous version of {k['source']}",
           f"it shrank from {_count(k['records_before'])} to {_count(k['records_now'])} records (--accept-shrink takes it)")
          for k in summary.get("kept_after_shrink") or []],
        *[(f"quarantined (no listing record): {name}", "all its lines are in rejects")
          for name in summary.get("quarantined") or []],
        *[(key.replace("_", " "), _plain(value)) for key, value in summary.items() if key not in _KNOWN],
        *time_rows(summary),
    ]
    return rows


def _cell(text: str) -> str:
    """A markdown table cell: on one line, backslashes and pipes escaped (a trailing
    backslash would otherwise escape the cell's closing pipe)."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def summary_markdown(summary: Mapping[str, Any]) -> str:
    """The run summary as a markdown document with one two-column table (the Prefect artifact)."""
    lines = [
        "# paperhouse ingest",
        "",
        f"**{_cell(verdict(summary))}**: snapshot `{_cell(str(summary.get('run_id', '')))}`",
        "",
        "| what | value |",
        "|---|---|",
        *[f"| {_cell(label)} | {_cell(value)} |" for label, value in summary_rows(summary)],
    ]
    return "\n".join(lines) + "\n"
