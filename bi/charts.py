"""What the report charts: one :class:`Chart` per section, from the report's query rows.

Each chart names its rows, the builder (``bi.figures``) that draws them and
the one line shown instead when there are none, so an empty section costs a
line of the page, not an empty plot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bi.figures import (
    SMALL_SAMPLE_PAPERS,
    TOP_N,
    code_release_figure,
    count_axis,
    palette,
    ranked_bars,
    sample_note,
    stacked_topic_bars,
    topic_order,
    year_heatmap,
)
from bi.report_data import ReportData

LOWER_BOUND_NOTE = (
    "Listings show at most three authors per paper (then “et al.”), so author counts and "
    "co-author pairs are lower bounds."
)
SMALL_SAMPLE_NOTE = (
    f"Hatched bars (and “n=” under their year) are shares of fewer than {SMALL_SAMPLE_PAPERS} papers: "
    "small samples, read them with care."
)
#: Left margins (px) that fit the longest labels of each ranked chart.
AUTHOR_MARGIN, PAIR_MARGIN, REASON_MARGIN, RULE_MARGIN = 220, 320, 320, 260


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    note: str
    figure: Any | None  # a plotly Figure, or None when the section has no rows
    empty: str  # the one line shown instead of an empty chart


def _chart(key: str, title: str, note: str, rows: list[Any], draw: Callable[[], Any], empty: str) -> Chart:
    return Chart(key, title, note, draw() if rows else None, empty)


def topic_year_figure(rows: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    per_year: dict[Any, int] = {}
    for r in rows:
        per_year[r["year"]] = per_year.get(r["year"], 0) + int(r["n_papers"])
    return stacked_topic_bars(
        rows, colours,
        value=lambda r: int(r["n_papers"]),
        customdata=lambda r: [int(r["n_with_code"])],
        hover="%{fullData.name}<br>%{x}: %{y} papers, %{customdata[0]} with code<extra></extra>",
        title="Publications per topic per year",
        yaxis=count_axis("papers", list(per_year.values())),
    )


def topic_trends_figure(rows: list[dict[str, Any]], colours: dict[str, str]) -> Any:
    """100 %-stacked bars: each topic's share of the year's papers (bars read better than areas on sparse years)."""
    return stacked_topic_bars(
        rows, colours,
        value=lambda r: float(r["share_of_year"]),
        customdata=lambda r: [int(r["n_papers"]), int(r["n_papers_year"]), sample_note(int(r["n_papers_year"]))],
        hover=("%{fullData.name}<br>%{x}: %{y:.1%} of the year's papers "
               "(%{customdata[0]} of %{customdata[1]}) %{customdata[2]}<extra></extra>"),
        title="Topic trends: share of each year's papers",
        yaxis={"title": {"text": "share of the year's papers"}, "tickformat": ".0%", "range": [0, 1]},
        sample_size=lambda r: int(r["n_papers_year"]),
    )


def affiliation_figure(rows: list[dict[str, Any]]) -> Any:
    """The top organisations by papers, one row each, a column per year."""
    label = {r["affiliation_id"]: f'{r["affiliation_name"]} ({r["slug"]})' if r["affiliation_name"] != r["slug"]
             else r["slug"] for r in rows}
    labels = list(dict.fromkeys(label[r["affiliation_id"]] for r in rows))  # rows come ranked
    found = {int(r["year"]) for r in rows}
    years = list(range(min(found), max(found) + 1))  # every year, so a gap reads as one
    counts = {(label[r["affiliation_id"]], int(r["year"])): int(r["n_papers"]) for r in rows}
    return year_heatmap(
        labels=labels, years=years, counts=counts,
        hover="%{y}<br>%{x}: %{z} papers<extra></extra>",
        title="Publications per organisation per year",
    )


def top_authors_figure(rows: list[dict[str, Any]]) -> Any:
    return ranked_bars(
        labels=[f'{r["name"]} (group)' if r["is_group"] else r["name"] for r in rows],
        values=[int(r["n_papers"]) for r in rows],
        customdata=[[r["first_year"], r["last_year"], int(r["n_coauthors"]), int(r["n_first_author"]), r["topics"]]
                    for r in rows],
        colour="#4c78a8",
        hover=("%{y}: %{x} papers, %{customdata[0]}–%{customdata[1]}<br>"
               "%{customdata[2]} co-authors, first author on %{customdata[3]}<br>%{customdata[4]}<extra></extra>"),
        title=f"Top {len(rows)} authors by papers", axis_title="papers (lower bound)", left_margin=AUTHOR_MARGIN,
    )


def coauthor_figure(rows: list[dict[str, Any]]) -> Any:
    return ranked_bars(
        labels=[f'{r["name_a"]} & {r["name_b"]}' for r in rows],
        values=[int(r["n_papers"]) for r in rows],
        customdata=[[r["first_year"], r["last_year"]] for r in rows],
        colour="#72b7b2",
        hover="%{y}: %{x} shared papers, %{customdata[0]}–%{customdata[1]}<extra></extra>",
        title=f"Top {len(rows)} co-author pairs by shared papers", axis_title="shared papers (lower bound)",
        left_margin=PAIR_MARGIN,
    )


def rejects_figure(rows: list[dict[str, Any]]) -> Any:
    return ranked_bars(
        labels=[r["reason"] for r in rows],
        values=[int(r["n_rejects"]) for r in rows],
        customdata=[[int(r["n_files"])] for r in rows],
        colour="#e45756",
        hover="%{y}: %{x} records in %{customdata[0]} file(s)<extra></extra>",
        title="Rejected input records by reason", axis_title="records", left_margin=REASON_MARGIN,
    )


def merges_figure(rows: list[dict[str, Any]]) -> Any:
    """Written forms merged into another form's author, by rule / evidence."""
    return ranked_bars(
        labels=[f'{r["rule"]} / {r["evidence"]}' if r["evidence"] else r["rule"] for r in rows],
        values=[int(r["n_forms"]) for r in rows],
        customdata=[[int(r["n_mentions"])] for r in rows],
        colour="#b279a2",
        hover="%{y}: %{x} written forms, %{customdata[0]} mentions<extra></extra>",
        title="Author resolution: merged written forms by rule / evidence", axis_title="written forms merged",
        left_margin=RULE_MARGIN,
    )


def _affiliation_note(rows: list[dict[str, Any]]) -> str:
    shown = len({r["affiliation_id"] for r in rows})
    total = rows[0]["n_affiliations"] if rows else 0
    with_org = rows[0]["n_papers_with_affiliation"] if rows else 0
    scope = f"the {shown} with the most papers of {total}" if total > shown else f"all {total}"
    return (f"Distinct papers per organisation and year, {scope} organisations "
            f"(view publications_per_affiliation_year). Only {with_org} paper(s) name an organisation: "
            "the slug list after “·” is optional in listings.")


def build_charts(data: ReportData) -> list[Chart]:
    rows = data.rows
    per_topic = rows["publications_per_topic_year"]
    merges = [r for r in rows["merges_by_rule"] if r["rule"] != "canonical"]
    canonical = sum(int(r["n_forms"]) for r in rows["merges_by_rule"] if r["rule"] == "canonical")
    colours = palette([c for c, _ in topic_order(per_topic)])
    no_papers = "No papers in this snapshot."
    return [
        _chart("publications-per-topic-year", "Publications per topic per year",
               "Distinct papers (after de-duplication) per arXiv primary category and publication year "
               "(view publications_per_topic_year).",
               per_topic, lambda: topic_year_figure(per_topic, colours), no_papers),
        _chart("topic-trends", "Topic trends",
               "Each topic's share of the year's papers; the shares of a year add up to 100 % (view topic_trends). "
               + SMALL_SAMPLE_NOTE,
               rows["topic_trends"], lambda: topic_trends_figure(rows["topic_trends"], colours), no_papers),
        _chart("code-release-rate", "Code release rate",
               "Share of papers whose listing carries the Code badge, per year over all topics; click a topic in the "
               "legend to show its own rate, open markers for fewer than "
               f"{SMALL_SAMPLE_PAPERS} papers (view code_release_rate). " + SMALL_SAMPLE_NOTE,
               rows["code_release_rate_overall"],
               lambda: code_release_figure(rows["code_release_rate_overall"], rows["code_release_rate"], colours),
               no_papers),
        _chart("publications-per-affiliation", "Publications per organisation",
               _affiliation_note(rows["publications_per_affiliation_year"]),
               rows["publications_per_affiliation_year"],
               lambda: affiliation_figure(rows["publications_per_affiliation_year"]),
               "No organisations: no listing in this snapshot names one."),
        _chart("top-authors", "Top authors",
               f"The {TOP_N} resolved authors with the most papers (view author_stats). " + LOWER_BOUND_NOTE,
               rows["top_authors"], lambda: top_authors_figure(rows["top_authors"]), "No authors in this snapshot."),
        _chart("top-coauthor-pairs", "Top co-author pairs",
               f"The {TOP_N} author pairs with the most shared papers (view coauthorship). " + LOWER_BOUND_NOTE,
               rows["top_coauthor_pairs"], lambda: coauthor_figure(rows["top_coauthor_pairs"]),
               "No co-authored papers in this snapshot."),
        _chart("rejects-by-reason", "Rejected records",
               "Input records quarantined in the rejects table, by reason (they never stop the good records).",
               rows["rejects_by_reason"], lambda: rejects_figure(rows["rejects_by_reason"]), "No rejected records."),
        _chart("author-resolution", "Author resolution",
               "Written forms of a name merged into an author with a different canonical form, by name rule and "
               f"evidence (table author_links; {canonical} form(s) are their author's canonical form).",
               merges, lambda: merges_figure(merges), "No written forms were merged: every author has one form."),
    ]
