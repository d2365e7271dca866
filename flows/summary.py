"""The run summary, rendered once for the terminal and for the Prefect artifact."""

from __future__ import annotations

from typing import Any


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows describing one run."""
    quality = summary.get("quality", {})
    merges = ", ".join(f"{rule} {n}" for rule, n in quality.get("merges_by_rule", {}).items()) or "none"
    rows = [
        ("run_id", str(summary["run_id"])),
        ("sources", ", ".join(f"{k} {v}" for k, v in summary["sources"].items())),
        ("bytes read", f'{summary["n_bytes_read"]:,}'),
        ("records parsed this run", f'{summary["n_records_parsed"]:,}'),
        ("records in warehouse", f'{summary["n_entries"]:,}'),
        ("records rejected", f'{summary["n_rejects"]:,}'),
        *[(f"  {reason}", f"{n:,}") for reason, n in sorted(summary.get("rejects_by_reason", {}).items())],
        ("papers added / removed", f'{summary["papers_added"]:,} / {summary["papers_removed"]:,}'),
        ("authors added", f'{summary["authors_added"]:,}'),
        *[(f"table {name}", f"{rows:,} rows") for name, rows in summary.get("table_rows", {}).items()],
    ]
    if quality:
        rows += [
            ("author mentions", f'{quality.get("mentions", 0):,}'),
            ("persons / groups", f'{quality.get("persons", 0):,} / {quality.get("groups", 0):,}'),
            ("merged forms by rule", merges),
            ("low-confidence merges", f'{quality.get("low_confidence_merges", 0):,}'),
            ("ambiguous names", f'{quality.get("ambiguous_names", 0):,}'),
            ("possible matches left apart", f'{quality.get("possible_matches_left_apart", 0):,}'),
        ]
    rows += [
        (f"kept previous version of {k['source']}", f"it shrank from {k['records_before']:,} to {k['records_now']:,} "
         "records (--accept-shrink takes it)")
        for k in summary.get("kept_after_shrink", [])
    ]
    rows += [(f"quarantined (no listing record): {name}", "all its lines are in rejects")
             for name in summary.get("quarantined", [])]
    rows += [(f"seconds {name}", f"{seconds:.2f}") for name, seconds in summary.get("stages", {}).items()]
    rows.append(("seconds (work)", f'{summary["seconds"]:.2f}'))
    if "wall_seconds" in summary:
        rows.append(("seconds (wall, incl. Prefect)", f'{summary["wall_seconds"]:.2f}'))
    return rows


def summary_markdown(summary: dict[str, Any]) -> str:
    """The summary as a markdown table (the Prefect UI renders it)."""
    verdict = "published new snapshot" if summary["published_new"] else "inputs unchanged: no new snapshot"
    lines = [f"# paperhouse ingest: {verdict}", "", "| | |", "|---|---|"]
    lines += [f"| {label.strip()} | {value.replace('|', '/')} |" for label, value in summary_rows(summary)]
    return "\n".join(lines) + "\n"
