"""The report's HTML: one self-contained page (styles, plotly.js and every chart's data inline).

plotly.js is inlined once; each figure's JSON (data and layout) sits in its own
``<script type="application/json" data-chart=...>`` block that a few lines of
inline script hand to ``Plotly.newPlot``.  Nothing is fetched from the
network, so the file opens offline and can be mailed or archived as is.

Every value from the warehouse is HTML-escaped, and figure JSON is made safe
inside ``<script>`` (``</`` and ``<!--`` escaped).  A section with nothing to
show is one line: its heading and a sentence, no empty plot or table.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from typing import Any

from bi.charts import Chart
from bi.report_data import ReportData, ViewTable
from bi.snapshot_diff import SnapshotChanges

QUALITY_LABELS = {
    "mentions": "author mentions",
    "written_forms": "distinct written forms",
    "persons": "persons",
    "groups": "group authors",
    "low_confidence_merges": "low-confidence merges",
    "ambiguous_names": "ambiguous names (kept apart)",
    "possible_matches_left_apart": "possible matches left apart",
    "conflicting_pairs_kept_apart": "conflicting pairs kept apart",
}

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; background: #f6f7f9; color: #1f2328; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 0 0 4px; font-size: 20px; }
h3 { margin: 12px 0 6px; font-size: 16px; }
.meta { color: #57606a; margin: 0 0 16px; }
code { background: #eef0f3; padding: 1px 5px; border-radius: 4px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 24px; }
.kpi { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.kpi .value { font-size: 22px; font-weight: 600; }
.kpi .label { color: #57606a; font-size: 13px; }
section { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 18px 20px; margin-bottom: 20px; }
section.collapsed { display: flex; align-items: baseline; gap: 16px; padding: 10px 20px; }
section.collapsed h2 { font-size: 16px; margin: 0; white-space: nowrap; }
section.collapsed p { margin: 0; }
.note { color: #57606a; margin: 0 0 8px; font-size: 14px; }
.chart { width: 100%; }
.narrow { max-width: 560px; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
table { border-collapse: collapse; font-size: 14px; width: 100%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.added { color: #1a7f37; }
.removed { color: #cf222e; }
.empty { color: #57606a; font-style: italic; }
footer { color: #57606a; font-size: 13px; padding-bottom: 24px; }
"""

BOOT = """
(function () {
  var config = {responsive: true, displaylogo: false};
  document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (el) {
    var fig = JSON.parse(el.textContent);
    Plotly.newPlot(el.getAttribute('data-chart'), fig.data, fig.layout, config);
  });
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _figure_json(fig: Any) -> str:
    """The figure as JSON that is safe inside a <script> element."""
    text = fig.to_json()
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _table(headers: list[str], rows: list[list[Any]], empty: str, numeric: frozenset[int] = frozenset()) -> str:
    """A plain table; columns whose index is in ``numeric`` are right-aligned."""
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'

    def cell(tag: str, i: int, value: Any) -> str:
        attribute = ' class="num"' if i in numeric else ""
        return f"<{tag}{attribute}>{_e(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(key: str, title: str, body: str) -> str:
    return f'<section id="{_e(key)}"><h2>{_e(title)}</h2>{body}</section>'


def _collapsed(key: str, title: str, line: str) -> str:
    """A section with nothing to show: its heading and one sentence on one line."""
    return f'<section id="{_e(key)}" class="collapsed"><h2>{_e(title)}</h2><p class="empty">{_e(line)}</p></section>'


def _kpi(label: str, value: Any) -> str:
    return f'<div class="kpi"><div class="value">{_e(value)}</div><div class="label">{_e(label)}</div></div>'


def chart_section(chart: Chart) -> str:
    if chart.figure is None:
        return _collapsed(chart.key, chart.title, chart.empty)
    return _section(chart.key, chart.title, (
        f'<p class="note">{_e(chart.note)}</p>'
        f'<div class="chart" id="chart-{_e(chart.key)}"></div>'
        f'<script type="application/json" data-chart="chart-{_e(chart.key)}">{_figure_json(chart.figure)}</script>'
    ))


def changes_section(changes: SnapshotChanges) -> str:
    key, title = "since-previous", "Since the previous snapshot"
    if changes.previous is None:
        return _collapsed(key, title, "No previous snapshot: this is the first one.")
    against = f"snapshot {changes.previous} (created {changes.previous_created_at or '?'})"
    if changes.problem is not None:
        return _collapsed(key, title, f"Not compared with {against}: {changes.problem}.")
    if changes.unchanged:
        return _collapsed(key, title, f"No papers, authors or rejects added or removed since {against}.")
    counts = _table(
        ["", "before", "now", "added", "removed"],
        [[r["entity"], f'{r["n_before"]:,}', f'{r["n_after"]:,}', _signed("+", r["n_added"]),
          _signed("−", r["n_removed"])] for r in changes.counts],
        "nothing to compare", numeric=frozenset({1, 2, 3, 4}),
    )
    return _section(key, title, (
        f'<p class="note">Compared with {_e(against)}, the complete snapshot before this one. Papers and authors '
        "are matched by their stable ids (an author whose merged written forms changed can get a new id, and "
        "then shows as removed and added), rejects by file, reason and content (a reject that only moved to "
        "another line is not a change).</p>"
        f'<div class="narrow">{counts}</div><h3>Examples</h3>{_examples(changes)}'
    ))


def _signed(sign: str, n: int) -> str:
    return f"{sign}{n:,}" if n else "0"


def _examples(changes: SnapshotChanges) -> str:
    """One row per (entity, change): the first few items, and how many more there are."""
    rows = []
    for count in changes.counts:
        for change, n in (("added", count["n_added"]), ("removed", count["n_removed"])):
            items = [r for r in changes.examples if r["entity"] == count["entity"] and r["change"] == change]
            if not n:
                continue
            shown = "; ".join(f'{r["item"]} ({r["detail"]})' for r in items)
            more = f"; and {n - len(items):,} more" if n > len(items) else ""
            rows.append(f'<tr><td>{_e(count["entity"])}</td><td class="{change}">{change}</td>'
                        f"<td>{_e(shown + more)}</td></tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def splits_section(splits: ViewTable) -> str:
    key, title = "low-confidence-splits", "Low-confidence title/author splits"
    if not splits.present:
        return _collapsed(key, title, f"This snapshot's catalog has no {splits.name} view (it was built by a "
                                      "paperhouse without it), so its splits cannot be listed here.")
    if splits.error is not None:
        return _collapsed(key, title, f"The {splits.name} view could not be read: {splits.error}")
    if not splits.rows:
        return _collapsed(key, title, "No low-confidence splits.")
    n_shown = len(splits.rows)
    shown = f"the first {n_shown} of {splits.total}" if splits.total > n_shown else f"all {splits.total}"
    return _section(key, title, (
        f'<p class="note">Listing records whose title/author boundary the parser was not sure of, {shown} '
        f"(view {_e(splits.name)}). Check them against the source; fix a wrong one with an overrides file.</p>"
        + _table(splits.columns, splits.rows, "No low-confidence splits.")
    ))


def _quality_rows(quality: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for key, value in quality.items():
        label = QUALITY_LABELS.get(key, key.replace("_", " "))
        if isinstance(value, dict):
            rows.extend([f"{label}: {sub}", n] for sub, n in value.items())
        else:
            rows.append([label, value])
    return rows


def quality_section(data: ReportData) -> str:
    low_conf = data.rows["low_confidence_merges"]
    tables = data.manifest.get("tables", {})
    return _section("data-quality", "Data quality", (
        '<p class="note">From the snapshot manifest (<code>_snapshot.json</code>, key <code>quality</code>) '
        f"and the author_links table: {len(low_conf) or 'no'} written form(s) merged with low confidence "
        "(flagged <code>is_low_confidence</code>: review them, and correct wrong ones with an overrides file).</p>"
        '<div class="columns"><div><h3>Author-resolution summary</h3>'
        + _table(["measure", "value"], _quality_rows(data.manifest.get("quality", {})),
                 "No quality summary in this snapshot's manifest.", numeric=frozenset({1}))
        + "</div><div><h3>Low-confidence merges</h3>"
        + _table(
            ["written form", "merged into", "rule", "evidence", "confidence", "mentions"],
            [[r["name_as_listed"], r["name"], r["rule"], r["evidence"], f'{float(r["confidence"]):.2f}',
              r["n_mentions"]] for r in low_conf],
            "No low-confidence merges.", numeric=frozenset({4, 5}),
        )
        + "<h3>Table rows</h3>"
        + _table(["table", "rows"], [[name, meta.get("rows")] for name, meta in tables.items()], "No tables.",
                 numeric=frozenset({1}))
        + "</div></div>"
    ))


def _kpis(data: ReportData) -> str:
    tables = data.manifest.get("tables", {})
    rows = data.rows
    return "".join([
        _kpi("papers", tables.get("papers", {}).get("rows", "?")),
        _kpi("authors", tables.get("authors", {}).get("rows", "?")),
        _kpi("listing records", tables.get("listing_entries", {}).get("rows", "?")),
        _kpi("topics with papers", len({r["category"] for r in rows["publications_per_topic_year"]})),
        _kpi("sources", len(data.manifest.get("sources", []))),
        _kpi("rejected records", sum(int(r["n_rejects"]) for r in rows["rejects_by_reason"])),
        _kpi("low-confidence merges", len(rows["low_confidence_merges"])),
    ])


def render_html(data: ReportData, charts: list[Chart], generated_at: datetime | None = None) -> str:
    from plotly import __version__ as plotly_version
    from plotly.offline import get_plotlyjs

    generated_at = generated_at or datetime.now(timezone.utc)
    title = f"paperhouse report — snapshot {data.run_id}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        f"<script>{get_plotlyjs()}</script>",
        "</head><body>",
        "<header><h1>paperhouse report</h1>",
        f'<p class="meta">snapshot <code>{_e(data.run_id)}</code> created '
        f'{_e(data.manifest.get("created_at", "?"))}; report generated '
        f'{generated_at.isoformat(timespec="seconds")}</p>',
        f'<div class="kpis">{_kpis(data)}</div></header>',
        "<main>",
        changes_section(data.changes),
        *[chart_section(chart) for chart in charts],
        splits_section(data.splits),
        quality_section(data),
        "</main>",
        f"<footer>Made by <code>paperhouse report</code> with Plotly {_e(plotly_version)} "
        "(plotly.js inlined: this file needs no network).</footer>",
        f"<script>{BOOT}</script>",
        "</body></html>",
    ])
