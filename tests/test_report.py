"""`paperhouse report`: one self-contained HTML file whose charts embed the warehouse's numbers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from bi.figures import SMALL_SAMPLE_PAPERS
from bi.snapshot_diff import EXAMPLES_PER_KIND, changes_since_previous, snapshots_oldest_first
from flows.cli import app
from tests.conftest import plain_ingest, write_listing
from warehouse.catalog import view_files
from warehouse.layout import Layout
from warehouse.query import open_readonly, run_query

runner = CliRunner()

#: Sections that draw a chart on the samples, and those that are one line there (the samples have no rejects).
CHARTS = [
    "publications-per-topic-year", "topic-trends", "code-release-rate", "publications-per-affiliation",
    "top-authors", "top-coauthor-pairs", "author-resolution",
]
ONE_LINERS = ["since-previous", "rejects-by-reason"]

#: Two good records sharing an organisation (`J. Doe` joins `Jane Doe` on weak evidence), a bad date
#: and a stray line: rejects and a low-confidence merge for the data-quality section.
QUALITY_LISTING = (
    "LGJan 5, 2021Code\nA Study of ThingsJane Doe, Bob Roberts · acme\nAbstract one.\n"
    "CLMar 3, 2022\nAnother Study of ThingsJ. Doe, Carl Carlson · acme\nAbstract two.\n"
    "CLDec 32, 2023\nBroken Date PaperXavier Young\nAbstract three.\n"
    "Stray line without a record\n"
)
#: The same profile later: the second paper gone, a new one, the stray line gone, a new bad date.
LATER_LISTING = (
    "LGJan 5, 2021Code\nA Study of ThingsJane Doe, Bob Roberts · acme\nAbstract one.\n"
    "CVJun 9, 2024\nSeeing Further With LensesOlga Petrova, Ivan Sidorov · acme, mit\nAbstract four.\n"
    "CLDec 32, 2023\nBroken Date PaperXavier Young\nAbstract three.\n"
    "ROFeb 30, 2025\nImpossible Day RobotsMia Wong\nAbstract five.\n"
)
SPLITS_VIEW_SQL = """
CREATE OR REPLACE VIEW low_confidence_splits AS
SELECT source_file, source_line, split_rule AS rule FROM listing_entries
"""
BROKEN_VIEW_SQL = "CREATE OR REPLACE VIEW low_confidence_splits AS SELECT error('this view is broken') AS x"


class Page(HTMLParser):
    """Every tag with its attributes, the text of every <script> and <style>, and each section's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self.text: list[str] = []
        self.sections: dict[str, dict] = {}
        self._section: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._open = (tag, attributes)
        if tag == "section":
            self._section = attributes["id"]
            self.sections[self._section] = {"class": attributes.get("class"), "text": [], "charts": [], "tags": []}
        elif self._section is not None:
            self.sections[self._section]["tags"].append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._open is None:
            self.text.append(data)
            if self._section is not None:
                self.sections[self._section]["text"].append(data)
        elif self._open[0] == "script":
            self.scripts.append((self._open[1], data))
            if self._section is not None and self._open[1].get("data-chart"):
                self.sections[self._section]["charts"].append(self._open[1]["data-chart"])
        else:
            self.styles.append(data)

    def section_text(self, key: str) -> str:
        return " ".join(" ".join(self.sections[key]["text"]).split())


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def figures(page: Page) -> dict[str, dict]:
    return {
        attrs["data-chart"].removeprefix("chart-"): json.loads(text)
        for attrs, text in page.scripts
        if attrs.get("type") == "application/json" and attrs.get("data-chart")
    }


def query(layout, sql: str) -> list[dict]:
    con = open_readonly(layout)
    try:
        result = run_query(con, sql)
    finally:
        con.close()
    return [dict(zip(result.columns, row)) for row in result.rows]


def series(fig: dict, name: str) -> dict:
    """A legend entry's points, gathered from its traces (plain and hatched), in year order."""
    traces = [t for t in fig["data"] if t.get("name") == name]
    assert traces, name
    points = sorted((x, y, bool(t.get("marker", {}).get("pattern")))
                    for t in traces for x, y in zip(t["x"], t["y"]) if x is not None)
    legend = [t for t in traces if t.get("showlegend", True)]
    return {"x": [p[0] for p in points], "y": [p[1] for p in points], "hatched": [p[2] for p in points],
            "legend": legend}


def report(home: Path, *options: str) -> Page:
    out = home.parent / "report.html"
    result = runner.invoke(app, ["--home", str(home), "report", "--out", str(out), *options], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return parse(out)


@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sub" / "report.html"
    result = runner.invoke(app, ["--home", str(sample_warehouse["layout"].home), "report", "--out", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "self-contained" in result.output
    return out


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory) -> tuple[Layout, dict]:
    """A home whose profile was ingested, then changed and ingested again: two snapshots (and the second run's
    summary)."""
    root = tmp_path_factory.mktemp("changes")
    listing = root / "inbox" / "profile.txt"
    write_listing(listing, QUALITY_LISTING)
    first, _ = plain_ingest(root / "home", [root / "inbox"])
    write_listing(listing, LATER_LISTING)
    second, layout = plain_ingest(root / "home", [root / "inbox"])
    # published in this order, very likely within one second (created_at's resolution)
    assert [s.run_id for s in snapshots_oldest_first(layout)] == [first["run_id"], second["run_id"]]
    return layout, second


@pytest.fixture(scope="module")
def quality_home(two_snapshots) -> Path:
    """The first of the two snapshots: rejects and a low-confidence merge."""
    return two_snapshots[0].home


def test_the_report_is_self_contained(sample_report):
    page = parse(sample_report)
    assert [a for t, a in page.tags if t == "script" and "src" in a] == []  # every script is inline
    assert [a for t, a in page.tags if t == "link"] == []  # no stylesheets, icons or preloads
    remote = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
    for tag, attrs in page.tags:
        for attribute, value in attrs.items():
            if attribute in {"src", "href", "srcset", "data", "action", "poster", "xlink:href"} and value:
                assert not remote.match(value), (tag, attribute, value)
    for css in page.styles:
        assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css)
    inline_js = [text for attrs, text in page.scripts if not attrs.get("type")]
    assert any("plotly.js v" in text and len(text) > 1_000_000 for text in inline_js)  # the library itself
    assert sorted(figures(page)) == sorted(CHARTS)
    divs = {a.get("id") for t, a in page.tags if t == "div"}
    assert {f"chart-{key}" for key in CHARTS} <= divs


def test_charts_embed_the_warehouse_numbers(sample_warehouse, sample_report):
    layout = sample_warehouse["layout"]
    figs = figures(parse(sample_report))

    per_topic = query(layout, "SELECT category, topic_name, year, n_papers FROM publications_per_topic_year")
    fig = figs["publications-per-topic-year"]
    for category in {r["category"] for r in per_topic}:
        rows = sorted((r for r in per_topic if r["category"] == category), key=lambda r: r["year"])
        s = series(fig, f'{rows[0]["topic_name"]} ({category})')
        assert (s["x"], s["y"]) == ([r["year"] for r in rows], [r["n_papers"] for r in rows])
        assert not any(s["hatched"])  # counts are not shares: nothing to flag
    assert sum(y for t in fig["data"] for y in t["y"] if y is not None) == 97
    assert "Machine Learning (cs.LG)" in {t["name"] for t in fig["data"]}

    trends = query(layout, "SELECT category, topic_name, year, share_of_year FROM topic_trends ORDER BY year")
    fig = figs["topic-trends"]
    for category in {r["category"] for r in trends}:
        rows = [r for r in trends if r["category"] == category]
        s = series(fig, f'{rows[0]["topic_name"]} ({category})')
        assert s["x"] == [r["year"] for r in rows]
        assert s["y"] == pytest.approx([r["share_of_year"] for r in rows])
    for year in {r["year"] for r in trends}:  # a year's shares add up to 1
        assert sum(y for t in fig["data"] for x, y in zip(t["x"], t["y"]) if x == year) == pytest.approx(1.0)

    overall = query(layout, "SELECT year, sum(n_with_code) AS k, sum(n_papers) AS n FROM code_release_rate "
                            "GROUP BY year ORDER BY year")
    bars = [t for t in figs["code-release-rate"]["data"] if t.get("name") == "all topics" and t["x"] != [None]]
    points = sorted((x, y, text) for t in bars for x, y, text in zip(t["x"], t["y"], t["text"]))
    assert [p[0] for p in points] == [r["year"] for r in overall]
    assert [p[1] for p in points] == pytest.approx([float(r["k"]) / float(r["n"]) for r in overall])
    assert [p[2] for p in points] == [f'{r["k"]}/{r["n"]}' for r in overall]

    authors = query(layout, "SELECT name, is_group, n_papers FROM author_stats "
                            "ORDER BY n_papers DESC, n_coauthors DESC, name LIMIT 15")
    (bars,) = figs["top-authors"]["data"]
    assert bars["y"] == [f'{r["name"]} (group)' if r["is_group"] else r["name"] for r in authors]
    assert bars["x"] == [r["n_papers"] for r in authors]
    assert bars["x"][0] == query(layout, "SELECT max(n_papers) AS m FROM author_stats")[0]["m"]

    pairs = query(layout, "SELECT name_a, name_b, n_papers FROM coauthorship "
                          "ORDER BY n_papers DESC, last_year DESC, name_a, name_b LIMIT 15")
    (bars,) = figs["top-coauthor-pairs"]["data"]
    assert bars["y"] == [f'{r["name_a"]} & {r["name_b"]}' for r in pairs]
    assert bars["x"] == [r["n_papers"] for r in pairs]
    assert bars["x"][0] == query(layout, "SELECT max(n_papers) AS m FROM coauthorship")[0]["m"]

    merged = query(layout, "SELECT rule, count(*) AS n FROM author_links WHERE rule <> 'canonical' GROUP BY rule")
    (bars,) = figs["author-resolution"]["data"]
    assert sum(bars["x"]) == sum(r["n"] for r in merged) == 4


def test_affiliation_chart_is_the_view(sample_warehouse, sample_report):
    layout = sample_warehouse["layout"]
    view = query(layout, "SELECT slug, affiliation_name, year, n_papers FROM publications_per_affiliation_year")
    assert view, "the samples name organisations"
    (heat,) = figures(parse(sample_report))["publications-per-affiliation"]["data"]
    cells = {(label, int(year)): z for label, row in zip(heat["y"], heat["z"]) for year, z in zip(heat["x"], row)
             if z is not None}
    label = {r["slug"]: f'{r["affiliation_name"]} ({r["slug"]})' if r["affiliation_name"] != r["slug"] else r["slug"]
             for r in view}
    assert cells == {(label[r["slug"]], r["year"]): r["n_papers"] for r in view}
    totals = {}
    for r in view:
        totals[label[r["slug"]]] = totals.get(label[r["slug"]], 0) + r["n_papers"]
    assert [totals[name] for name in heat["y"]] == sorted(totals.values(), reverse=True)  # ranked by papers
    years = [int(y) for y in heat["x"]]
    assert years == list(range(min(r["year"] for r in view), max(r["year"] for r in view) + 1))  # no year skipped


def test_shares_of_few_papers_are_flagged(sample_warehouse, sample_report):
    layout = sample_warehouse["layout"]
    figs = figures(parse(sample_report))
    trends = query(layout, "SELECT category, topic_name, year, n_papers_year FROM topic_trends ORDER BY year")
    small_years = {r["year"] for r in trends if r["n_papers_year"] < SMALL_SAMPLE_PAPERS}
    assert small_years and small_years != {r["year"] for r in trends}  # the samples have both kinds
    fig = figs["topic-trends"]
    for category in {r["category"] for r in trends}:
        rows = [r for r in trends if r["category"] == category]
        s = series(fig, f'{rows[0]["topic_name"]} ({category})')
        assert s["hatched"] == [r["year"] in small_years for r in rows]
        (entry,) = s["legend"]  # one legend entry, with a plain swatch, even for a topic of small years only
        assert not entry["marker"].get("pattern") and entry["marker"]["color"] == next(
            t["marker"]["color"] for t in fig["data"] if t.get("name") == entry["name"] and t["x"] != [None])
    axis = fig["layout"]["xaxis"]
    n_year = {r["year"]: r["n_papers_year"] for r in trends}
    for year, text in zip(axis["tickvals"], axis["ticktext"]):
        assert text == (f"{year}<br><i>n={n_year[year]}</i>" if year in small_years else str(year))
    assert any(t["name"].startswith(f"hatched: fewer than {SMALL_SAMPLE_PAPERS}") for t in fig["data"])

    overall = query(layout, "SELECT year, sum(n_papers) AS n FROM code_release_rate GROUP BY year ORDER BY year")
    s = series(figs["code-release-rate"], "all topics")
    assert s["hatched"] == [r["n"] < SMALL_SAMPLE_PAPERS for r in overall]
    per_topic = query(layout, "SELECT category, topic_name, year, n_papers FROM code_release_rate ORDER BY year")
    lines = {t["name"]: t for t in figs["code-release-rate"]["data"] if t["type"] == "scatter"}
    assert len(lines) == len({r["category"] for r in per_topic})
    for category in {r["category"] for r in per_topic}:  # per-topic rates: open markers for small samples
        rows = [r for r in per_topic if r["category"] == category]
        line = lines[f'{rows[0]["topic_name"]} ({category})']
        assert line["x"] == [r["year"] for r in rows]
        assert line["marker"]["symbol"] == [
            "circle-open" if r["n_papers"] < SMALL_SAMPLE_PAPERS else "circle" for r in rows]


def test_empty_sections_are_one_line(sample_report):
    page = parse(sample_report)
    splits_shipped = "low_confidence_splits" in {v.name for v in view_files()}
    for key in ONE_LINERS + ([] if splits_shipped else ["low-confidence-splits"]):
        section = page.sections[key]
        assert section["class"] == "collapsed" and section["charts"] == [], key
        assert section["tags"] == ["h2", "p"], key  # a heading and one sentence: no plot, no table
    assert page.section_text("rejects-by-reason") == "Rejected records No rejected records."
    assert page.section_text("since-previous") == (
        "Since the previous snapshot No previous snapshot: this is the first one.")
    if not splits_shipped:  # a catalog without the view (an older snapshot): one line says so
        assert "has no low_confidence_splits view" in page.section_text("low-confidence-splits")
    for key in CHARTS:
        assert page.sections[key]["class"] is None and page.sections[key]["charts"] == [f"chart-{key}"]


def _ids(path: Path, column: str) -> set:
    return set(pl.read_parquet(path).get_column(column).to_list())


def test_changes_since_the_previous_snapshot(two_snapshots):
    layout, summary = two_snapshots
    before, after = [s.path for s in snapshots_oldest_first(layout)]
    page = report(layout.home)
    text = page.section_text("since-previous")
    assert page.sections["since-previous"]["class"] is None
    assert f"Compared with snapshot {before.name}" in text

    expected = {}
    for entity, column in (("papers", "paper_id"), ("authors", "author_id")):
        old, new = _ids(before / f"{entity}.parquet", column), _ids(after / f"{entity}.parquet", column)
        expected[entity] = (len(old), len(new), len(new - old), len(old - new))
    key = ["source_file", "reason", "content_hash"]
    old = set(pl.read_parquet(before / "rejects.parquet").select(key).iter_rows())
    new = set(pl.read_parquet(after / "rejects.parquet").select(key).iter_rows())
    expected["rejects"] = (pl.read_parquet(before / "rejects.parquet").height,
                           pl.read_parquet(after / "rejects.parquet").height, len(new - old), len(old - new))
    def signed(sign: str, n: int) -> str:
        return f"{sign}{n:,}" if n else "0"

    for entity, (n_before, n_after, added, removed) in expected.items():
        assert f"{entity} {n_before:,} {n_after:,} {signed('+', added)} {signed('−', removed)}" in text, text
    assert expected["papers"][2:] == (1, 1) and expected["rejects"][2:] == (1, 1)  # what the listings changed
    assert (summary["papers_added"], summary["papers_removed"]) == expected["papers"][2:]  # the ingest agrees

    # the examples name what changed
    assert "papers added Seeing Further With Lenses (2024 · cs.CV)" in text
    assert "papers removed Another Study of Things (2022 · cs.CL)" in text
    assert re.search(r"authors removed (?:(?!rejects ).)*Carl Carlson \(1 paper\(s\)\)", text)
    assert re.search(r"authors added (?:(?!authors removed).)*Olga Petrova \(1 paper\(s\)\)", text)
    assert f"rejects added invalid date ({layout.home.parent / 'inbox' / 'profile.txt'}:10)" in text
    assert "rejects removed text outside a record" in text

    # the first snapshot has nothing before it (its one-line rendering is checked on the samples)
    assert changes_since_previous(layout, before.name).previous is None


def test_change_examples_are_capped(two_snapshots):
    layout, _ = two_snapshots
    changes = changes_since_previous(layout, layout.current_run_id())
    kinds = {(r["entity"], r["change"]) for r in changes.examples}
    for kind in kinds:
        assert sum((r["entity"], r["change"]) == kind for r in changes.examples) <= EXAMPLES_PER_KIND
    counted = {(r["entity"], "added"): r["n_added"] for r in changes.counts} | {
        (r["entity"], "removed"): r["n_removed"] for r in changes.counts}
    for kind, n in counted.items():  # below the cap, every change is an example
        assert sum((r["entity"], r["change"]) == kind for r in changes.examples) == min(n, EXAMPLES_PER_KIND)


def _add_view_to_catalog(layout: Layout, sql: str) -> None:
    """Give the current snapshot's catalog one more view, as a paperhouse that ships it would have."""
    con = duckdb.connect(str(layout.current / "paperhouse.duckdb"))
    try:
        con.execute(sql)
    finally:
        con.close()


def _catalog_has(layout: Layout, view: str) -> bool:
    return view in {r["view_name"] for r in query(layout, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}


def splits_page(layout: Layout) -> Page:
    """The splits section alone, as the report renders it from the report's own data."""
    from bi.page import splits_section
    from bi.report_data import load_report_data

    page = Page()
    page.feed(splits_section(load_report_data(layout).splits))
    return page


@pytest.fixture
def spare_catalog(two_snapshots):
    """The current snapshot of ``two_snapshots``, whose catalog the test may change: restored afterwards."""
    layout, _ = two_snapshots
    catalog = layout.current / "paperhouse.duckdb"
    original = catalog.read_bytes()
    yield layout
    catalog.write_bytes(original)


def test_low_confidence_splits_table_when_the_view_exists(spare_catalog):
    if "low_confidence_splits" in {v.name for v in view_files()}:
        # sql/low_confidence_splits.sql now ships (issue 15): a view injected into the catalog
        # no longer replaces it on the report's read path; test_report's section test covers the
        # packaged view.  TODO(report): inject the broken view through the packaged path.
        pytest.skip("the view ships in sql/: catalog injection does not reach the report's read path")
    layout = spare_catalog
    _add_view_to_catalog(layout, BROKEN_VIEW_SQL)
    if not _catalog_has(layout, "low_confidence_splits"):
        pytest.skip("open_readonly no longer reads views from the catalog file; covered by the packaged view")
    page = splits_page(layout)  # a view that fails: one line, not a failed report
    assert page.sections["low-confidence-splits"]["class"] == "collapsed"
    assert "could not be read" in page.section_text("low-confidence-splits")
    assert "this view is broken" in page.section_text("low-confidence-splits")

    _add_view_to_catalog(layout, SPLITS_VIEW_SQL)
    rows = query(layout, "SELECT * FROM low_confidence_splits ORDER BY ALL")
    assert rows
    page = splits_page(layout)
    assert page.sections["low-confidence-splits"]["class"] is None
    assert "table" in page.sections["low-confidence-splits"]["tags"]
    text = page.section_text("low-confidence-splits")
    assert f"all {len(rows)}" in text
    for row in rows:
        assert " ".join(str(v) for v in row.values()) in text


def test_data_quality_section(quality_home):
    layout = Layout.at(quality_home)
    first = snapshots_oldest_first(layout)[0].run_id
    report_file = quality_home / "report.html"  # the default destination
    report_file.write_text("old report")
    result = runner.invoke(app, ["--home", str(quality_home), "report", "--snapshot", first], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert report_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")  # replaced whole
    assert [p.name for p in quality_home.iterdir() if p.name.startswith(".")] == []  # no temporary left
    page = parse(report_file)
    figs = figures(page)
    (bars,) = figs["rejects-by-reason"]["data"]
    assert dict(zip(bars["y"], bars["x"])) == {
        "invalid date": 1, "text outside a record (no date line above it)": 1}
    (bars,) = figs["author-resolution"]["data"]
    assert dict(zip(bars["y"], bars["x"])) == {"first_initial / organisation": 1}

    text = " ".join(" ".join(page.text).split())
    snapshot_dir = layout.snapshot(first)
    links = pl.read_parquet(snapshot_dir / "author_links.parquet").filter(pl.col("is_low_confidence"))
    assert links.select("name_as_listed", "name").rows() == [("J. Doe", "Jane Doe")]
    assert links["confidence"].to_list() == [pytest.approx(0.7)]
    assert "J. Doe Jane Doe first_initial organisation 0.70 1" in text  # the low-confidence merges table
    assert "1 low-confidence merges" in text  # the headline figure
    manifest = json.loads((snapshot_dir / "_snapshot.json").read_text())
    quality = manifest["quality"]
    assert quality["low_confidence_merges"] == 1
    assert f'author mentions {quality["mentions"]}' in text  # the snapshot's quality summary
    assert f'low-confidence merges {quality["low_confidence_merges"]}' in text
    assert "merges by rule: first_initial 1" in text
    assert f'snapshot {manifest["run_id"]} created {manifest["created_at"]}' in text
    assert "2 rejected records" in text


def test_report_without_a_warehouse_fails_cleanly(tmp_path):
    missing = runner.invoke(app, ["--home", str(tmp_path / "nothing"), "report"], catch_exceptions=False)
    assert missing.exit_code == 1
    assert [line for line in missing.output.splitlines() if line.strip()] == [
        f"error: no warehouse at {tmp_path / 'nothing'}: run `paperhouse ingest` first"]
    assert not (tmp_path / "nothing" / "report.html").exists()
