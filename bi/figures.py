"""The report's Plotly figures, built from plain rows (lists of dicts).

Three builders cover every chart: stacked bars per year (topics), ranked
horizontal bars of counts (authors, pairs, rejects, merges) and a heatmap
(organisations by year); the code release chart adds per-topic lines to bars.
Builders are only called with rows: an empty section is one line of text,
decided by the page, not an empty plot.

Shares computed from few papers are flagged rather than hidden: their bars are
hatched, their year's tick says how many papers it has, and the hover says
"small sample".  ``SMALL_SAMPLE_PAPERS`` is the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

#: A share of fewer papers than this is flagged as a small sample (2026: 100 % of 2 papers).
SMALL_SAMPLE_PAPERS = 10
#: Hatching of small-sample bars (a Plotly pattern shape), drawn in white over the bar's colour.
SMALL_SAMPLE_PATTERN = "/"
SMALL_SAMPLE_PATTERN_STYLE = {"fgcolor": "#ffffff", "fgopacity": 0.75, "fillmode": "overlay", "size": 7}
#: Ranked charts show this many rows (the report queries LIMIT to the same number).
TOP_N = 15
CHART_HEIGHT = 460
#: Horizontal bar and heatmap heights grow with their rows, from a floor.
ROW_HEIGHT = 28
MIN_RANKED_HEIGHT = 260
RANKED_PADDING = 110
#: An axis of counts gets about this many ticks.
COUNT_TICKS = 8
#: The code release axis leaves room above the highest bar for its k/n label.
RATE_HEADROOM = 1.25
RATE_FLOOR = 0.1
RATE_FULL_SCALE_FROM = 0.8
RATE_FULL_SCALE_TOP = 1.05
NEUTRAL_BAR = "#7f8c9a"
KEY_GREY = "#9aa4ae"
#: Light to dark blue from a count of zero; an empty cell stays white.
HEATMAP_SCALE = [[0.0, "#eef4fb"], [1.0, "#08306b"]]


def is_small_sample(n_papers: int) -> bool:
    return n_papers < SMALL_SAMPLE_PAPERS


def palette(categories: list[str]) -> dict[str, str]:
    """One colour per topic, the same in every chart."""
    from plotly.colors import qualitative

    colours = qualitative.Plotly + qualitative.D3 + qualitative.Set2 + qualitative.Pastel
    return {category: colours[i % len(colours)] for i, category in enumerate(categories)}


def topic_order(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
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
        "height": CHART_HEIGHT,
    }
    base.update(extra)
    return base


def _year_axis(years: list[int], papers_per_year: dict[int, int] | None = None) -> dict[str, Any]:
    """Every year a tick; a small-sample year's tick also says how few papers it has."""
    def label(year: int) -> str:
        n = (papers_per_year or {}).get(year)
        return f"{year}<br><i>n={n}</i>" if n is not None and is_small_sample(n) else str(year)

    return {"title": {"text": "year"}, "tickmode": "array", "tickvals": years,
            "ticktext": [label(y) for y in years]}


def _sample_split_bars(
    *, name: str, colour: str, x: list[Any], y: list[float], customdata: list[list[Any]], small: list[bool],
    hover: str,
) -> list[Any]:
    """One series of bars as plain and hatched (small-sample) traces under one plain legend entry.

    A single trace with per-bar patterns would show its first bar's pattern
    in the legend, and Plotly leaves a trace without points out of the
    legend; so the entry is its own pointless trace in the series' colour, and
    the traces with points join its legend group (they toggle together).
    """
    import plotly.graph_objects as go

    traces = [go.Bar(name=name, legendgroup=name, x=[None], y=[None], marker={"color": colour}, hoverinfo="skip")]
    for hatched in (False, True):
        keep = [i for i, flag in enumerate(small) if flag == hatched]
        if not keep:
            continue
        marker: dict[str, Any] = {"color": colour}
        if hatched:
            marker["pattern"] = {"shape": SMALL_SAMPLE_PATTERN, **SMALL_SAMPLE_PATTERN_STYLE}
        traces.append(go.Bar(
            name=name, legendgroup=name, showlegend=False,
            x=[x[i] for i in keep], y=[y[i] for i in keep], customdata=[customdata[i] for i in keep],
            marker=marker, hovertemplate=hover,
        ))
    return traces


def _small_sample_key() -> Any:
    """A legend entry that explains the hatching (it draws nothing)."""
    import plotly.graph_objects as go

    return go.Bar(
        name=f"hatched: fewer than {SMALL_SAMPLE_PAPERS} papers", x=[None], y=[None], hoverinfo="skip",
        marker={"color": KEY_GREY, "pattern": {"shape": SMALL_SAMPLE_PATTERN, **SMALL_SAMPLE_PATTERN_STYLE}},
    )


def count_axis(title: str, values: list[int]) -> dict[str, Any]:
    """An axis of whole counts: integer ticks only, from zero."""
    step = max(1, math.ceil(max(values, default=1) / COUNT_TICKS))
    return {"title": {"text": title}, "tick0": 0, "dtick": step, "rangemode": "tozero"}


def _ranked_height(n: int) -> int:
    return max(MIN_RANKED_HEIGHT, RANKED_PADDING + ROW_HEIGHT * n)


def stacked_topic_bars(
    rows: list[dict[str, Any]], colours: dict[str, str], *, value: Callable[[dict[str, Any]], float],
    customdata: Callable[[dict[str, Any]], list[Any]], hover: str, title: str, yaxis: dict[str, Any],
    sample_size: Callable[[dict[str, Any]], int] | None = None,
) -> Any:
    """One stacked bar per year, one segment per topic, in the report's fixed topic colours.

    With ``sample_size`` (the papers a share is computed from), small-sample
    segments are hatched and their years' ticks carry ``n=``.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    dated = [r for r in rows if r["year"] is not None]
    years = sorted({int(r["year"]) for r in dated})
    flagged = False
    for category, topic in topic_order(dated):
        mine = [r for r in dated if r["category"] == category]
        small = [sample_size is not None and is_small_sample(sample_size(r)) for r in mine]
        flagged = flagged or any(small)
        fig.add_traces(_sample_split_bars(
            name=f"{topic} ({category})", colour=colours[category], x=[int(r["year"]) for r in mine],
            y=[value(r) for r in mine], customdata=[customdata(r) for r in mine], small=small, hover=hover,
        ))
    if flagged:
        fig.add_trace(_small_sample_key())
    per_year = {int(r["year"]): sample_size(r) for r in dated} if sample_size is not None else None
    fig.update_layout(**_layout(title, barmode="stack", xaxis=_year_axis(years, per_year), yaxis=yaxis))
    return fig


def sample_note(n_papers: int) -> str:
    return "small sample" if is_small_sample(n_papers) else ""


def code_release_figure(overall: list[dict[str, Any]], per_topic: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    """The yearly rate over all topics as bars (k/n on top), each topic's own rate as a line from the legend."""
    import plotly.graph_objects as go

    fig = go.Figure()
    dated = [r for r in overall if r["year"] is not None]
    years = [int(r["year"]) for r in dated]
    small = [is_small_sample(int(r["n_papers"])) for r in dated]
    bars = _sample_split_bars(
        name="all topics", colour=NEUTRAL_BAR, x=years, y=[float(r["code_release_rate"]) for r in dated],
        customdata=[[int(r["n_with_code"]), int(r["n_papers"]), sample_note(int(r["n_papers"]))] for r in dated],
        small=small,
        hover=("all topics, %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]} papers) "
               "%{customdata[2]}<extra></extra>"),
    )
    for bar in bars[1:]:  # k/n above each bar (the first is the legend entry)
        bar.update(text=[f"{k}/{n}" for k, n, _ in bar.customdata], textposition="outside")
    fig.add_traces(bars)
    if any(small):
        fig.add_trace(_small_sample_key())
    for category, topic in topic_order(per_topic):
        mine = [r for r in per_topic if r["category"] == category and r["year"] is not None]
        fig.add_trace(go.Scatter(
            name=f"{topic} ({category})",
            x=[int(r["year"]) for r in mine],
            y=[float(r["code_release_rate"]) for r in mine],
            customdata=[[int(r["n_with_code"]), int(r["n_papers"]), sample_note(int(r["n_papers"]))] for r in mine],
            mode="lines+markers",
            visible="legendonly",
            line={"color": colours.get(category)},
            # an open marker: a rate of fewer than SMALL_SAMPLE_PAPERS papers
            marker={"symbol": ["circle-open" if is_small_sample(int(r["n_papers"])) else "circle" for r in mine],
                    "size": 8},
            hovertemplate="%{fullData.name}, %{x}: %{y:.1%} (%{customdata[0]} of %{customdata[1]}) "
                          "%{customdata[2]}<extra></extra>",
        ))
    top = max([float(r["code_release_rate"]) for r in dated] + [RATE_FLOOR])
    rate_top = min(1.0, top * RATE_HEADROOM) if top < RATE_FULL_SCALE_FROM else RATE_FULL_SCALE_TOP
    papers_per_year = {int(r["year"]): int(r["n_papers"]) for r in dated}
    fig.update_layout(**_layout("Code release rate (papers with a Code badge)", barmode="overlay",
                                xaxis=_year_axis(years, papers_per_year),
                                yaxis={"title": {"text": "share with code"}, "tickformat": ".0%",
                                       "range": [0, rate_top]}))
    return fig


def ranked_bars(
    *, labels: list[str], values: list[int], customdata: list[list[Any]], colour: str, hover: str,
    title: str, axis_title: str, left_margin: int,
) -> Any:
    """A ranked horizontal bar chart of whole counts (top authors, pairs, rejects, merges)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(
        orientation="h", x=values, y=labels, text=values, textposition="outside",
        customdata=customdata, marker={"color": colour}, hovertemplate=hover,
    ))
    fig.update_layout(**_layout(title, height=_ranked_height(len(values)),
                                margin={"l": left_margin, "r": 40, "t": 40, "b": 50},
                                xaxis=count_axis(axis_title, values),
                                yaxis={"autorange": "reversed", "automargin": True}))
    return fig


def year_heatmap(
    *, labels: list[str], years: list[int], counts: dict[tuple[str, int], int], hover: str, title: str,
    colourscale: list[list[Any]] | str = HEATMAP_SCALE,
) -> Any:
    """Rows by columns of years, each cell a count written in it (blank where zero).

    The scale runs from zero, so a cell of 1 is visibly coloured, unlike the empty cells.
    """
    import plotly.graph_objects as go

    z = [[counts.get((label, year)) for year in years] for label in labels]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(y) for y in years], y=labels, text=[["" if v is None else str(v) for v in row] for row in z],
        texttemplate="%{text}", colorscale=colourscale,
        zmin=0, zmax=max([v for row in z for v in row if v is not None], default=1), hoverongaps=False, xgap=2, ygap=2,
        colorbar={"title": {"text": "papers"}, "thickness": 12}, hovertemplate=hover,
    ))
    fig.update_layout(**_layout(title, height=_ranked_height(len(labels)),
                                xaxis={"title": {"text": "year"}, "type": "category"},
                                yaxis={"autorange": "reversed", "automargin": True}))
    return fig
