"""One self-contained HTML report with plots of the warehouse views.

The charts are Plotly figures; plotly.js is inlined once in the page and each
figure's JSON (data and layout) sits in its own
``<script type="application/json" data-chart=...>`` block that a few lines of
inline script hand to ``Plotly.newPlot``.  Nothing is fetched from the
network, so the file opens offline and can be mailed or archived as is.

The data comes from ``bi.report_data`` (read-only queries in
``sql/report/``).  The file is written beside its destination and renamed
over it, so a browser never loads half a report.
"""

from __future__ import annotations

import html
import math
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from warehouse.layout import Layout
from bi.report_data import ReportData, load_report_data

TOP_N = 15
LOWER_BOUND_NOTE = (
    "Listings show at most three authors per paper (then “et al.”), so author counts and "
    "co-author pairs are lower bounds."
)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    note: str
    figure: Any  # plotly.graph_objects.Figure


# --------------------------------------------------------------------------- figures


def _palette(categories: list[str]) -> dict[str, str]:
    """One colour per topic, the same in every chart."""
    from plotly.colors import qualitative

    colours = qualitative.Plotly + qualitative.D3 + qualitative.Set2 + qualitative.Pastel
    return {category: colours[i % len(colours)] for i, category in enumerate(categories)}


def _topic_order(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(category, topic_name) by total papers, largest first."""
    totals: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["category"], row["topic_name"])
        totals[key] = totals.get(key, 0) + int(row["n_papers"])
    return sorted(totals, key=lambda k: (-totals[k], k[0]))


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    base = {
        # the section heading above the chart names it; the title only labels a downloaded PNG
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 13, "color": "#57606a"}},
        "template": "plotly_white",
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "legend": {"orientation": "v"},
        "hoverlabel": {"namelength": -1},
        "height": 460,
    }
    base.update(extra)
    return base


def _empty(fig: Any, message: str) -> Any:
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 16, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _year_axis(years: list[int]) -> dict[str, Any]:
    return {"title": {"text": "year"}, "tickmode": "array", "tickvals": years, "ticktext": [str(y) for y in years]}


def _stacked_topic_bars(
    rows: list[dict[str, Any]], colours: dict[str, str], *, value: Callable[[dict[str, Any]], float],
    customdata: Callable[[dict[str, Any]], list[Any]], hover: str, title: str, yaxis: dict[str, Any],
) -> Any:
    """One stacked bar per year, one segment per topic, in the report's fixed topic colours."""
    import plotly.graph_objects as go

    fig = go.Figure()
    years = sorted({int(r["year"]) for r in rows if r["year"] is not None})
    for category, topic in _topic_order(rows):
        mine = [r for r in rows if r["category"] == category and r["year"] is not None]
        fig.add_trace(go.Bar(
            name=f"{topic} ({category})",
            x=[int(r["year"]) for r in mine],
            y=[value(r) for r in mine],
            customdata=[customdata(r) for r in mine],
            marker={"color": colours[category]},
            hovertemplate=hover,
        ))
    fig.update_layout(**_layout(title, barmode="stack", xaxis=_year_axis(years), yaxis=yaxis))
    return _empty(fig, "no papers in this snapshot") if not rows else fig


def topic_year_figure(rows: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    return _stacked_topic_bars(
        rows, colours,
        value=lambda r: int(r["n_papers"]),
        customdata=lambda r: [int(r["n_with_code"])],
        hover="%{fullData.name}<br>%{x}: %{y} papers, %{customdata[0]} with code<extra></extra>",
        title="Publications per topic per year",
        yaxis={"title": {"text": "papers"}},
    )


def topic_trends_figure(rows: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    """100 %-stacked bars: each topic's share of the year's papers (bars read better than areas on sparse years)."""
    return _stacked_topic_bars(
        rows, colours,
        value=lambda r: float(r["share_of_year"]),
        customdata=lambda r: [int(r["n_papers"]), int(r["n_papers_year"])],
        hover=("%{fullData.name}<br>%{x}: %{y:.1%} of the year's papers "
               "(%{customdata[0]} of %{customdata[1]})<extra></extra>"),
        title="Topic trends: share of each year's papers",
        yaxis={"title": {"text": "share of the year's papers"}, "tickformat": ".0%", "range": [0, 1]},
    )


def code_release_figure(overall: list[dict[str, Any]], per_topic: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    years = [int(r["year"]) for r in overall if r["year"] is not None]
    fig.add_trace(go.Bar(
        name="all topics",
        x=years,
        y=[float(r["code_release_rate"]) for r in overall if r["year"] is not None],
        text=[f'{r["n_with_code"]}/{r["n_papers"]}' for r in overall if r["year"] is not None],
        textposition="outside",
        customdata=[[int(r["n_with_code"]), int(r["n_papers"])] for r in overall if r["year"] is not None],
        marker={"color": "#7f8c9a"},
        hovertemplate="all topics, %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]} papers)<extra></extra>",
    ))
    for category, topic in _topic_order(per_topic):
        mine = [r for r in per_topic if r["category"] == category and r["year"] is not None]
        fig.add_trace(go.Scatter(
            name=f"{topic} ({category})",
            x=[int(r["year"]) for r in mine],
            y=[float(r["code_release_rate"]) for r in mine],
            customdata=[[int(r["n_with_code"]), int(r["n_papers"])] for r in mine],
            mode="lines+markers",
            visible="legendonly",
            line={"color": colours.get(category)},
            hovertemplate="%{fullData.name}, %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        ))
    top = max([float(r["code_release_rate"]) for r in overall] + [0.1])
    fig.update_layout(**_layout("Code release rate (papers with a Code badge)", xaxis=_year_axis(years),
                                yaxis={"title": {"text": "share with code"}, "tickformat": ".0%",
                                       "range": [0, min(1.0, top * 1.25) if top < 0.8 else 1.05]}))
    return _empty(fig, "no papers in this snapshot") if not overall else fig


def _count_axis(title: str, values: list[int]) -> dict[str, Any]:
    """An axis of whole counts: integer ticks only, from zero."""
    step = max(1, math.ceil(max(values, default=1) / 8))
    return {"title": {"text": title}, "tick0": 0, "dtick": step, "rangemode": "tozero"}


def _hbar_height(n: int) -> int:
    return max(260, 110 + 28 * n)


def _hbar_figure(
    *, labels: list[str], values: list[int], customdata: list[list[Any]], colour: str, hover: str,
    title: str, axis_title: str, left_margin: int, empty_message: str,
) -> Any:
    """A ranked horizontal bar chart of whole counts (top authors, pairs, rejects, merges)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(
        orientation="h", x=values, y=labels, text=values, textposition="outside",
        customdata=customdata, marker={"color": colour}, hovertemplate=hover,
    ))
    fig.update_layout(**_layout(title, height=_hbar_height(len(values)),
                                margin={"l": left_margin, "r": 40, "t": 40, "b": 50},
                                xaxis=_count_axis(axis_title, values),
                                yaxis={"autorange": "reversed", "automargin": True}))
    return _empty(fig, empty_message) if not values else fig


def top_authors_figure(rows: list[dict[str, Any]]) -> Any:
    return _hbar_figure(
        labels=[f'{r["name"]} (group)' if r["is_group"] else r["name"] for r in rows],
        values=[int(r["n_papers"]) for r in rows],
        customdata=[[r["first_year"], r["last_year"], int(r["n_coauthors"]), int(r["n_first_author"]), r["topics"]]
                    for r in rows],
        colour="#4c78a8",
        hover=("%{y}: %{x} papers, %{customdata[0]}–%{customdata[1]}<br>"
               "%{customdata[2]} co-authors, first author on %{customdata[3]}<br>%{customdata[4]}<extra></extra>"),
        title=f"Top {len(rows)} authors by papers", axis_title="papers (lower bound)", left_margin=220,
        empty_message="no authors in this snapshot",
    )


def coauthor_figure(rows: list[dict[str, Any]]) -> Any:
    return _hbar_figure(
        labels=[f'{r["name_a"]} & {r["name_b"]}' for r in rows],
        values=[int(r["n_papers"]) for r in rows],
        customdata=[[r["first_year"], r["last_year"]] for r in rows],
        colour="#72b7b2",
        hover="%{y}: %{x} shared papers, %{customdata[0]}–%{customdata[1]}<extra></extra>",
        title=f"Top {len(rows)} co-author pairs by shared papers", axis_title="shared papers (lower bound)",
        left_margin=320, empty_message="no co-authored papers in this snapshot",
    )


def rejects_figure(rows: list[dict[str, Any]]) -> Any:
    return _hbar_figure(
        labels=[r["reason"] for r in rows],
        values=[int(r["n_rejects"]) for r in rows],
        customdata=[[int(r["n_files"])] for r in rows],
        colour="#e45756",
        hover="%{y}: %{x} records in %{customdata[0]} file(s)<extra></extra>",
        title="Rejected input records by reason", axis_title="records", left_margin=320,
        empty_message="no rejected records in this snapshot",
    )


def merges_figure(rows: list[dict[str, Any]]) -> Any:
    """Written forms merged into another form's author, by rule / evidence (canonical forms left out)."""
    rows = [r for r in rows if r["rule"] != "canonical"]
    return _hbar_figure(
        labels=[f'{r["rule"]} / {r["evidence"]}' if r["evidence"] else r["rule"] for r in rows],
        values=[int(r["n_forms"]) for r in rows],
        customdata=[[int(r["n_mentions"])] for r in rows],
        colour="#b279a2",
        hover="%{y}: %{x} written forms, %{customdata[0]} mentions<extra></extra>",
        title="Author resolution: merged written forms by rule / evidence", axis_title="written forms merged",
        left_margin=260, empty_message="no written forms were merged: every author has one form",
    )


def build_charts(data: ReportData) -> list[Chart]:
    rows = data.rows
    canonical = sum(int(r["n_forms"]) for r in rows["merges_by_rule"] if r["rule"] == "canonical")
    colours = _palette([c for c, _ in _topic_order(rows["publications_per_topic_year"])])
    return [
        Chart("publications-per-topic-year", "Publications per topic per year",
              "Distinct papers (after de-duplication) per arXiv primary category and publication year "
              "(view publications_per_topic_year).",
              topic_year_figure(rows["publications_per_topic_year"], colours)),
        Chart("topic-trends", "Topic trends",
              "Each topic's share of the year's papers; the shares of a year add up to 100 % (view topic_trends).",
              topic_trends_figure(rows["topic_trends"], colours)),
        Chart("code-release-rate", "Code release rate",
              "Share of papers whose listing carries the Code badge, per year over all topics; click a topic in the "
              "legend to show its own rate (view code_release_rate).",
              code_release_figure(rows["code_release_rate_overall"], rows["code_release_rate"], colours)),
        Chart("top-authors", "Top authors",
              f"The {TOP_N} resolved authors with the most papers (view author_stats). " + LOWER_BOUND_NOTE,
              top_authors_figure(rows["top_authors"])),
        Chart("top-coauthor-pairs", "Top co-author pairs",
              f"The {TOP_N} author pairs with the most shared papers (view coauthorship). " + LOWER_BOUND_NOTE,
              coauthor_figure(rows["top_coauthor_pairs"])),
        Chart("rejects-by-reason", "Rejected records",
              "Input records quarantined in the rejects table, by reason (they never stop the good records).",
              rejects_figure(rows["rejects_by_reason"])),
        Chart("author-resolution", "Author resolution",
              "Written forms of a name merged into an author with a different canonical form, by name rule and "
              f"evidence (table author_links; {canonical} form(s) are their author's canonical form).",
              merges_figure(rows["merges_by_rule"])),
    ]


# --------------------------------------------------------------------------- HTML


def _figure_json(fig: Any) -> str:
    """The figure as JSON that is safe inside a <script> element."""
    text = fig.to_json()
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _table(headers: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _quality_rows(quality: dict[str, Any]) -> list[list[Any]]:
    labels = {
        "mentions": "author mentions",
        "written_forms": "distinct written forms",
        "persons": "persons",
        "groups": "group authors",
        "low_confidence_merges": "low-confidence merges",
        "ambiguous_names": "ambiguous names (kept apart)",
        "possible_matches_left_apart": "possible matches left apart",
        "conflicting_pairs_kept_apart": "conflicting pairs kept apart",
    }
    rows: list[list[Any]] = []
    for key, value in quality.items():
        if isinstance(value, dict):
            for sub, n in value.items():
                rows.append([f"{labels.get(key, key.replace('_', ' '))}: {sub}", n])
        else:
            rows.append([labels.get(key, key.replace("_", " ")), value])
    return rows


def _kpi(label: str, value: Any) -> str:
    return f'<div class="kpi"><div class="value">{html.escape(str(value))}</div><div class="label">{html.escape(label)}</div></div>'


CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       margin: 0; background: #f6f7f9; color: #1f2328; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 0 0 4px; font-size: 20px; }
.meta { color: #57606a; margin: 0 0 16px; }
code { background: #eef0f3; padding: 1px 5px; border-radius: 4px; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0 24px; }
.kpi { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.kpi .value { font-size: 22px; font-weight: 600; }
.kpi .label { color: #57606a; font-size: 13px; }
section { background: #fff; border: 1px solid #d8dee4; border-radius: 8px; padding: 18px 20px; margin-bottom: 20px; }
.note { color: #57606a; margin: 0 0 8px; font-size: 14px; }
.chart { width: 100%; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
table { border-collapse: collapse; font-size: 14px; width: 100%; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eaeef2; }
td:last-child { font-variant-numeric: tabular-nums; }
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


def render_html(data: ReportData, charts: list[Chart], generated_at: datetime | None = None) -> str:
    from plotly import __version__ as plotly_version
    from plotly.offline import get_plotlyjs

    generated_at = generated_at or datetime.now(timezone.utc)
    tables = data.manifest.get("tables", {})
    quality = data.manifest.get("quality", {})
    rows = data.rows
    n_rejects = sum(int(r["n_rejects"]) for r in rows["rejects_by_reason"])
    low_conf = rows["low_confidence_merges"]
    kpis = "".join([
        _kpi("papers", tables.get("papers", {}).get("rows", "?")),
        _kpi("authors", tables.get("authors", {}).get("rows", "?")),
        _kpi("listing records", tables.get("listing_entries", {}).get("rows", "?")),
        _kpi("topics with papers", len({r["category"] for r in rows["publications_per_topic_year"]})),
        _kpi("sources", len(data.manifest.get("sources", []))),
        _kpi("rejected records", n_rejects),
        _kpi("low-confidence merges", len(low_conf)),
    ])
    sections = []
    for chart in charts:
        sections.append(
            f'<section id="{chart.key}"><h2>{html.escape(chart.title)}</h2>'
            f'<p class="note">{html.escape(chart.note)}</p>'
            f'<div class="chart" id="chart-{chart.key}"></div>'
            f'<script type="application/json" data-chart="chart-{chart.key}">{_figure_json(chart.figure)}</script>'
            "</section>"
        )
    quality_section = (
        '<section id="data-quality"><h2>Data quality</h2>'
        f'<p class="note">From the snapshot manifest (<code>_snapshot.json</code>, key <code>quality</code>) '
        f"and the author_links table: {len(low_conf) or 'no'} written form(s) merged with low confidence "
        "(confidence below 0.8: review them, and correct wrong ones with an overrides file).</p>"
        '<div class="columns"><div><h3>Author-resolution summary</h3>'
        + _table(["measure", "value"], _quality_rows(quality), "no quality summary in this snapshot's manifest")
        + "</div><div><h3>Low-confidence merges</h3>"
        + _table(
            ["written form", "merged into", "rule", "evidence", "confidence", "mentions"],
            [[r["name_as_listed"], r["name"], r["rule"], r["evidence"], f'{float(r["confidence"]):.2f}', r["n_mentions"]]
             for r in low_conf],
            "no low-confidence merges",
        )
        + "<h3>Table rows</h3>"
        + _table(["table", "rows"], [[name, meta.get("rows")] for name, meta in tables.items()], "no tables")
        + "</div></div></section>"
    )
    title = f"paperhouse report — snapshot {data.run_id}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{CSS}</style>",
        f"<script>{get_plotlyjs()}</script>",
        "</head><body>",
        "<header><h1>paperhouse report</h1>",
        f'<p class="meta">snapshot <code>{html.escape(data.run_id)}</code> created '
        f'{html.escape(str(data.manifest.get("created_at", "?")))}; report generated '
        f'{generated_at.isoformat(timespec="seconds")}</p>',
        f'<div class="kpis">{kpis}</div></header>',
        "<main>",
        *sections,
        quality_section,
        "</main>",
        f"<footer>Made by <code>paperhouse report</code> with Plotly {html.escape(plotly_version)} "
        "(plotly.js inlined: this file needs no network).</footer>",
        f"<script>{BOOT}</script>",
        "</body></html>",
    ])


def write_report(layout: Layout, out: Path | None = None, snapshot: str | None = None) -> Path:
    """Write the report for the current snapshot (or ``snapshot``); returns its path."""
    data = load_report_data(layout, snapshot)
    text = render_html(data, build_charts(data))
    target = Path(out).expanduser().resolve() if out is not None else layout.home / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
