"""The global split step: corpus evidence decides ambiguous splits, overrides fix known
bad ones, and deciding over the parts of a corpus equals deciding over the whole."""

from __future__ import annotations

import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.overrides import OverrideFileError
from flows.split_overrides import load_split_overrides
from transforms.authors import OverrideError
from transforms.parse import parse_sources
from transforms.split import CONFIDENT, LOW_CONFIDENCE, resolve_splits
from transforms.tables import build_tables
from warehouse.catalog import create_views
from warehouse.snapshots import write_table

CAPTURED = datetime.date(2026, 3, 1)


def parse_files(files: dict[str, list[str]]) -> pl.LazyFrame:
    """Parse listing files (name -> title lines) exactly as the per-source step does."""
    sources = pl.LazyFrame({
        "source_file": list(files),
        "text": ["".join(f"CLMar 3, 2024\n{line}\nAn abstract.\n" for line in lines) for lines in files.values()],
        "captured_on": [CAPTURED] * len(files),
    })
    return parse_sources(sources).entries.collect().lazy()


def row_of(entries: pl.DataFrame, source_file: str) -> dict:
    return entries.filter(pl.col("source_file") == source_file).row(0, named=True)


@pytest.mark.parametrize(
    ("ambiguous", "clean", "title", "first_author"),
    [
        # real names: J. ZuHone and M. Ntampaka listed cleanly on another profile
        ("Galaxy cluster masses from SPTM. Ntampaka, J. ZuHone", "Cluster cosmologyM. Ntampaka, J. ZuHone",
         "Galaxy cluster masses from SPT", "M. Ntampaka"),
        # the ranking alone picks XMMJ + J. Kavelaars; JJ. Kavelaars listed (unambiguously,
        # as a second author) on another profile overturns it
        ("Outer solar system objects with XMMJJ. Kavelaars", "Kuiper belt surveyAda Lovelace, JJ. Kavelaars",
         "Outer solar system objects with XMM", "JJ. Kavelaars"),
        # invented names of the same shapes
        ("Deep RLDJ Quorn, Ada Lovelace", "Planning agentsBo Lin, DJ Quorn", "Deep RL", "DJ Quorn"),
        ("Spectra from the WXYZQT. Brannigan", "Quasar hostsIda Moss, QT. Brannigan", "Spectra from the WXYZ", "QT. Brannigan"),
    ],
)
def test_corpus_evidence_decides_an_ambiguous_split(ambiguous, clean, title, first_author) -> None:
    entries = parse_files({"a.txt": [ambiguous], "b.txt": [clean]})
    before = row_of(entries.collect(), "a.txt")
    assert before["split_confidence"] < CONFIDENT  # the grammar alone is not sure
    after = row_of(resolve_splits(entries, None).collect(), "a.txt")
    assert (after["title"], after["authors"][0]) == (title, first_author)
    assert after["split_rule"] == "corpus" and after["split_confidence"] >= CONFIDENT


def test_no_evidence_changes_nothing() -> None:
    entries = parse_files({"a.txt": ["Outer solar system objects with XMMJJ. Kavelaars"], "b.txt": ["A titleAda Lovelace"]})
    assert_frame_equal(resolve_splits(entries, None).collect(), entries.collect())


def test_deciding_is_independent_of_how_sources_were_batched() -> None:
    """Incremental runs parse sources separately; the global step over all of them must
    give what a full rebuild gives."""
    files = {
        "a.txt": ["Outer solar system objects with XMMJJ. Kavelaars", "Deep RLDJ Quorn, Ada Lovelace"],
        "b.txt": ["Kuiper belt surveyAda Lovelace, JJ. Kavelaars"],
        "c.txt": ["Planning agentsBo Lin, DJ Quorn", "Hot dust in Low-Luminosity AGNR E Mason"],
    }
    whole = resolve_splits(parse_files(files), None).collect().sort("source_file", "source_line")
    parts = pl.concat([parse_files({name: lines}).collect() for name, lines in files.items()]).lazy()
    batched = resolve_splits(parts, None).collect().sort("source_file", "source_line")
    assert_frame_equal(batched, whole)


def _overrides(tmp_path: Path, rows: str) -> pl.DataFrame:
    path = tmp_path / "splits.csv"
    path.write_text("title_line,title,authors,note\n" + rows, encoding="utf-8")
    frame = load_split_overrides(path)
    assert frame is not None
    return frame


def test_override_fixes_a_known_bad_split(tmp_path: Path) -> None:
    line = "Dynamical Evolution of Dark Matter SubhaloesJianLing Gan, Xi Kang"
    entries = parse_files({"a.txt": [line]})
    wrong = row_of(entries.collect(), "a.txt")
    assert wrong["title"] != "Dynamical Evolution of Dark Matter Subhaloes"  # the grammar cannot know
    fixed = row_of(resolve_splits(entries, _overrides(tmp_path, f'"{line}","Dynamical Evolution of Dark Matter Subhaloes",,CamelCase given name\n')).collect(), "a.txt")
    assert (fixed["title"], fixed["authors"], fixed["split_rule"], fixed["split_confidence"]) == (
        "Dynamical Evolution of Dark Matter Subhaloes", ["JianLing Gan", "Xi Kang"], "override", 1.0)


def test_override_can_also_fix_the_author_list(tmp_path: Path) -> None:
    line = "A 2dF surveyRoberto De Propris, Peter J. Mares CTIO Cornell University"
    overrides = _overrides(tmp_path, f'"{line}","A 2dF survey","Roberto De Propris, Peter J. Mares",affiliation in the list\n')
    fixed = row_of(resolve_splits(parse_files({"a.txt": [line]}), overrides).collect(), "a.txt")
    assert (fixed["title"], fixed["authors"]) == ("A 2dF survey", ["Roberto De Propris", "Peter J. Mares"])


def test_override_of_an_unobserved_line_is_a_one_line_error(tmp_path: Path) -> None:
    overrides = _overrides(tmp_path, '"Never seenAda Lovelace","Never seen",,typo\n')
    with pytest.raises(OverrideError, match=r"^split override names a title line never observed: 'Never seenAda Lovelace'$"):
        resolve_splits(parse_files({"a.txt": ["A titleAda Lovelace"]}), overrides).collect()


def test_override_title_must_start_its_line(tmp_path: Path) -> None:
    overrides = _overrides(tmp_path, '"A titleAda Lovelace","Another title",,wrong\n')
    with pytest.raises(OverrideError, match="not the start of its title line"):
        resolve_splits(parse_files({"a.txt": ["A titleAda Lovelace"]}), overrides).collect()


def test_split_overrides_file_shape_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "splits.csv"
    path.write_text("title_line,note\nx,y\n", encoding="utf-8")
    with pytest.raises(OverrideFileError, match="lacks column"):
        load_split_overrides(path)
    template = Path(__file__).parents[1] / "overrides" / "splits.csv"
    assert load_split_overrides(template) is None  # the shipped template has no rows


def test_low_confidence_view_lists_uncertain_splits(tmp_path: Path) -> None:
    """Real tables from parsed records, the real view file, a real DuckDB."""
    parsed = parse_sources(pl.LazyFrame({
        "source_file": ["a.txt"],
        "text": ["CLMar 3, 2024\nDeep learningYann Lecun\nAn abstract.\n"
                 "CLMar 4, 2024\nPassword ProtocolsYalin Chen, Jue-Sam Chou*\nAn abstract.\n"],
        "captured_on": [CAPTURED],
    }))
    tables, _ = build_tables(parsed, "run-1")
    for name, frame in tables.items():
        write_table(frame, name, tmp_path / f"{name}.parquet")
    con = duckdb.connect()
    create_views(con, tmp_path)
    got = con.sql("SELECT source_line, split_rule, paper_title, paper_authors FROM low_confidence_splits").fetchall()
    assert got == [(4, "fallback", "Password Protocols", "Yalin Chen, Jue-Sam Chou*")]
    view = (Path(__file__).parents[1] / "sql" / "low_confidence_splits.sql").read_text()
    assert f"split_confidence < {LOW_CONFIDENCE}" in view


def test_the_ingest_applies_corpus_decisions_to_every_table(tmp_path) -> None:
    """Through the real pipeline (parse cache, model, streamed tables): the decided split
    is what papers, paper_authors, listing_entries and the authors table all say."""
    from tests.conftest import plain_ingest, write_listing

    inbox = tmp_path / "inbox"
    write_listing(inbox / "a.txt", "CLMar 3, 2024\nGalaxy cluster masses from SPTM. Ntampaka, J. ZuHone\nAn abstract.\n")
    write_listing(inbox / "b.txt", "CLMar 3, 2024\nCluster cosmologyM. Ntampaka, J. ZuHone\nAnother abstract.\n")
    _, layout = plain_ingest(tmp_path / "home", [inbox], captured_on=CAPTURED)
    current = layout.current
    papers = pl.read_parquet(current / "papers.parquet")
    assert sorted(papers["title"].to_list()) == ["Cluster cosmology", "Galaxy cluster masses from SPT"]
    decided = papers.filter(pl.col("title") == "Galaxy cluster masses from SPT")
    authors = pl.read_parquet(current / "paper_authors.parquet").join(decided.select("paper_id"), on="paper_id")
    assert authors.sort("position")["name_as_listed"].to_list() == ["M. Ntampaka", "J. ZuHone"]
    entries = pl.read_parquet(current / "listing_entries.parquet").filter(pl.col("source_file").str.ends_with("a.txt"))
    assert entries["split_rule"].to_list() == ["corpus"]
    names = set(pl.read_parquet(current / "authors.parquet")["name"].to_list())
    assert {"M. Ntampaka", "J. ZuHone"} <= names and not any(n.startswith("TM.") for n in names)
