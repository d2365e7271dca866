"""`paperhouse report`: one self-contained HTML file whose charts embed the warehouse's numbers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import flow_ingest, CAPTURED_ON, write_listing
from warehouse.query import open_readonly, run_query

runner = CliRunner()

CHARTS = [
    "publications-per-topic-year", "topic-trends", "code-release-rate", "top-authors",
    "top-coauthor-pairs", "rejects-by-reason", "author-resolution",
]

#: Two good records sharing an organisation (`J. Doe` joins `Jane Doe` on weak evidence), a bad date
#: and a stray line: rejects and a low-confidence merge for the data-quality section.
QUALITY_LISTING = (
    "LGJan 5, 2021Code\nA Study of ThingsJane Doe, Bob Roberts · acme\nAbstract one.\n"
    "CLMar 3, 2022\nAnother Study of ThingsJ. Doe, Carl Carlson · acme\nAbstract two.\n"
    "CLDec 32, 2023\nBroken Date PaperXavier Young\nAbstract three.\n"
    "Stray line without a record\n"
)


class Page(HTMLParser):
    """Every tag with its attributes, and the text of every <script> and <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._open: tuple[str, dict[str, str | None]] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self._open = (tag, attributes)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None

    def handle_data(self, data):
        if self._open is None:
            self.text.append(data)
        elif self._open[0] == "script":
            self.scripts.append((self._open[1], data))
        else:
            self.styles.append(data)


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


def trace(fig: dict, name: str) -> dict:
    (found,) = [t for t in fig["data"] if t.get("name") == name]
    return found


@pytest.fixture(scope="module")
def sample_report(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "sub" / "report.html"
    result = runner.invoke(app, ["--home", str(sample_warehouse["layout"].home), "report", "--out", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "self-contained" in result.output
    return out


@pytest.fixture(scope="module")
def quality_home(prefect_harness, tmp_path_factory) -> Path:

    root = tmp_path_factory.mktemp("quality")
    write_listing(root / "inbox" / "profile.txt", QUALITY_LISTING)
    flow_ingest(str(root / "home"), [str(root / "inbox")], captured_on=CAPTURED_ON)
    return root / "home"


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
        t = trace(fig, f'{rows[0]["topic_name"]} ({category})')
        assert (t["x"], t["y"]) == ([r["year"] for r in rows], [r["n_papers"] for r in rows])
    assert sum(sum(t["y"]) for t in fig["data"]) == 97
    assert "Machine Learning (cs.LG)" in {t["name"] for t in fig["data"]}

    trends = query(layout, "SELECT category, topic_name, year, share_of_year FROM topic_trends ORDER BY year")
    fig = figs["topic-trends"]
    for category in {r["category"] for r in trends}:
        rows = [r for r in trends if r["category"] == category]
        t = trace(fig, f'{rows[0]["topic_name"]} ({category})')
        assert t["x"] == [r["year"] for r in rows]
        assert t["y"] == pytest.approx([r["share_of_year"] for r in rows])
    for year in {r["year"] for r in trends}:  # a year's shares add up to 1
        assert sum(y for t in fig["data"] for x, y in zip(t["x"], t["y"]) if x == year) == pytest.approx(1.0)

    overall = query(layout, "SELECT year, sum(n_with_code) AS k, sum(n_papers) AS n FROM code_release_rate "
                            "GROUP BY year ORDER BY year")
    t = trace(figs["code-release-rate"], "all topics")
    assert t["x"] == [r["year"] for r in overall]
    assert t["y"] == pytest.approx([float(r["k"]) / float(r["n"]) for r in overall])
    assert t["text"] == [f'{r["k"]}/{r["n"]}' for r in overall]

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

    # the samples have no rejects: the chart says so instead of drawing nothing
    rejects = figs["rejects-by-reason"]
    assert rejects["data"][0]["x"] == []
    assert "no rejected records" in rejects["layout"]["annotations"][0]["text"]
    merged = query(layout, "SELECT rule, count(*) AS n FROM author_links WHERE rule <> 'canonical' GROUP BY rule")
    (bars,) = figs["author-resolution"]["data"]
    assert sum(bars["x"]) == sum(r["n"] for r in merged) == 4


def test_data_quality_section(quality_home):
    result = runner.invoke(app, ["--home", str(quality_home), "report"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = quality_home / "report.html"  # the default destination
    assert [p.name for p in quality_home.iterdir() if p.name.startswith(".")] == []  # no temporary left
    page = parse(report)
    figs = figures(page)
    (bars,) = figs["rejects-by-reason"]["data"]
    assert dict(zip(bars["y"], bars["x"])) == {
        "invalid date": 1, "text outside a record (no date line above it)": 1}
    (bars,) = figs["author-resolution"]["data"]
    assert dict(zip(bars["y"], bars["x"])) == {"first_initial / organisation": 1}

    text = " ".join(" ".join(page.text).split())
    low = query_home(quality_home, "SELECT name_as_listed, name, confidence FROM author_links WHERE is_low_confidence")
    assert low == [{"name_as_listed": "J. Doe", "name": "Jane Doe", "confidence": pytest.approx(0.7)}]
    assert "J. Doe Jane Doe first_initial organisation 0.70 1" in text  # the low-confidence merges table
    assert "1 low-confidence merges" in text  # the headline figure
    manifest = json.loads((quality_home / "warehouse" / "current" / "_snapshot.json").read_text())
    quality = manifest["quality"]
    assert quality["low_confidence_merges"] == 1
    assert f'author mentions {quality["mentions"]}' in text  # the snapshot's quality summary
    assert f'low-confidence merges {quality["low_confidence_merges"]}' in text
    assert "merges by rule: first_initial 1" in text
    assert f'snapshot {manifest["run_id"]} created {manifest["created_at"]}' in text
    assert "2 rejected records" in text


def query_home(home: Path, sql: str) -> list[dict]:
    from warehouse.layout import Layout

    return query(Layout.at(home), sql)


def test_report_replaces_the_old_file_and_fails_cleanly(quality_home, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old report")
    result = runner.invoke(app, ["--home", str(quality_home), "report", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]

    missing = runner.invoke(app, ["--home", str(tmp_path / "nothing"), "report"], catch_exceptions=False)
    assert missing.exit_code == 1
    assert [line for line in missing.output.splitlines() if line.strip()] == [
        f"error: no warehouse at {tmp_path / 'nothing'}: run `paperhouse ingest` first"]
    assert not (tmp_path / "nothing" / "report.html").exists()
