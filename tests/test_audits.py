"""Data tests: every audit passes on real warehouses and fails on a real Parquet table corrupted on purpose.

The corrupted tables are written with pyarrow into a copy of a snapshot whose
catalog was rebuilt for the copy; the audits then run through the same
read-only, locked-down connection as ``paperhouse check``.  Nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import plain_ingest, write_listing
from tests.test_bad_input import build_inbox
from warehouse.audits import (
    SAMPLE_ROWS,
    Audit,
    AuditDefinitionError,
    AuditsFailed,
    _single_select,
    all_audits,
    audit_snapshot,
    generic_name,
    require_passing,
    run_audit,
    run_audits,
)
from warehouse.catalog import build_catalog
from warehouse.dictionary import load_dictionary
from warehouse.fileio import sha256_file
from warehouse.layout import Layout
from warehouse.query import open_readonly
from warehouse.snapshots import MANIFEST as SNAPSHOT_MANIFEST

runner = CliRunner()
#: Listings with organisations, so the affiliation tables have rows to corrupt.
WITH_ORGS = (
    "LGJan 5, 2021Code\nLearning to Audit WarehousesAda Lovelace, Alan Turing · deepmind, mila\nAn abstract.\n"
    "CLMar 9, 2022\nSchemas as ContractsGrace Hopper, Ada Lovelace, Edsger Dijkstra et al. · mila\nAnother one.\n"
)
NO_SUCH_ID = "0000000000000000"
#: Generic audits whose generic corruption is cheap to keep in the fast lane (one per kind and table shape).
FAST_GENERIC = {
    "papers.paper_id.unique",
    "rejects.reason.not_null",
    "papers.date_precision.accepted_values",
    "author_links.confidence.accepted_range",
    "paper_authors.author_id.relationships",
    "listing_entries.source_file+source_line.unique_combination",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Layout:
    """A real warehouse with rejects of every kind, blank lines, CRLF, organisations and duplicates."""
    root = tmp_path_factory.mktemp("audited")
    inbox = root / "inbox"
    build_inbox(inbox)
    write_listing(inbox / "with_orgs.txt", WITH_ORGS)
    _, layout = plain_ingest(root / "home", [inbox], max_reject_share=1.0)
    return layout


@pytest.fixture(scope="module")
def snapshot_copy(warehouse, tmp_path_factory) -> Layout:
    """A copy of the warehouse's snapshot with its own catalog, into which cases write bad tables."""
    source = warehouse.current.resolve()
    layout = Layout.at(tmp_path_factory.mktemp("copy"))
    target = layout.snapshot(source.name)
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.suffix == ".parquet" or path.name == "_snapshot.json":
            shutil.copyfile(path, target / path.name)
    build_catalog(target / "paperhouse.duckdb", target, source.name)
    return layout


@pytest.fixture(scope="module")
def originals(warehouse) -> dict[str, pa.Table]:
    """The warehouse's tables as read from its files (pyarrow tables are immutable: cases share them)."""
    return {p.stem: pq.read_table(p) for p in warehouse.current.glob("*.parquet")}


@contextmanager
def corrupted(layout: Layout, changes: dict[str, pa.Table]) -> Iterator[str]:
    """Write ``changes`` over the copy's tables, yield its run id, then put the originals back.

    The manifest is updated to match (rows, bytes, sha256), as a buggy pipeline would publish
    it: the bad data must be caught by the audits, not by a checksum.
    """
    (snapshot,) = [p for p in layout.snapshots.iterdir() if not p.name.startswith(".")]
    manifest_path = snapshot / SNAPSHOT_MANIFEST
    saved = {p.name: p.read_bytes() for p in [manifest_path, *(snapshot / f"{n}.parquet" for n in changes)]}
    try:
        manifest = json.loads(manifest_path.read_text())
        for name, table in changes.items():
            path = snapshot / f"{name}.parquet"
            pq.write_table(table, path)
            manifest["tables"][name].update(rows=table.num_rows, bytes=path.stat().st_size, sha256=sha256_file(path))
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        yield snapshot.name
    finally:
        for name, data in saved.items():
            (snapshot / name).write_bytes(data)


def audit(layout: Layout, run_id: str, name: str):
    con = open_readonly(layout, run_id)
    try:
        (result,) = run_audits(con, [name])
    finally:
        con.close()
    return result


# --------------------------------------------------------------------------- corruptions


def set_value(table: pa.Table, column: str, row: int, value) -> pa.Table:
    index = table.schema.get_field_index(column)
    values = table.column(column).to_pylist()
    values[row] = value
    return table.set_column(index, table.schema.field(index), pa.array(values, type=table.schema.field(index).type))


def generic_corruption(dataset_name: str, test) -> Callable[[dict[str, pa.Table]], dict[str, pa.Table]]:
    """The smallest change to one real row that breaks ``test`` of a table."""
    column = test.columns[0]

    def corrupt(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        table = tables[dataset_name]
        assert table.num_rows >= 2, f"{dataset_name} needs rows to corrupt"
        if test.kind == "not_null":
            bad = set_value(table, column, 0, None)
        elif test.kind == "unique":
            bad = set_value(table, column, 1, table.column(column)[0].as_py())
        elif test.kind == "unique_combination":
            bad = pa.concat_tables([table, table.slice(0, 1)])
        elif test.kind == "accepted_values":
            bad = set_value(table, column, 0, "not-an-accepted-value")
        elif test.kind == "accepted_range":
            value = test.minimum - 1 if test.minimum is not None else test.maximum + 1
            bad = set_value(table, column, 0, value)
        elif test.kind == "relationships":
            bad = set_value(table, column, 0, NO_SUCH_ID)
        else:
            raise AssertionError(test.kind)
        return {dataset_name: bad}

    return corrupt


def duplicate_renamed(name: str, column: str) -> Callable[[dict[str, pa.Table]], dict[str, pa.Table]]:
    """Every row of ``name`` twice, the copy with another ``column`` text: a dimension's key no longer unique."""
    def corrupt(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        table = tables[name]
        index = table.schema.get_field_index(column)
        renamed = table.set_column(index, table.schema.field(index), pc.binary_join_element_wise(table.column(column), "copy", " "))
        return {name: pa.concat_tables([table, renamed])}
    return corrupt


def uncertain_first_entry(table: pa.Table) -> pa.Table:
    """The first listing entry, alone, with a split confidence below the review threshold."""
    index = table.schema.get_field_index("split_confidence")
    field = table.schema.field(index)
    return table.slice(0, 1).set_column(index, field, pa.array([0.1], type=field.type))


def uncertain_entry_twice(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The first listing entry made uncertain and listed twice: the review list names it twice."""
    table = tables["listing_entries"]
    first = uncertain_first_entry(table)
    return {"listing_entries": pa.concat_tables([table, first, first])}


def uncertain_entry_without_id(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """An uncertain copy of the first listing entry with no entry id: the review list shows a NULL id."""
    table = tables["listing_entries"]
    nameless = set_value(uncertain_first_entry(table), "entry_id", 0, None)
    return {"listing_entries": pa.concat_tables([table, nameless])}


def same_file_overlap(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """The second entry of a file moved onto the first entry's second line."""
    entries = tables["listing_entries"].sort_by([("source_file", "ascending"), ("source_line", "ascending")])
    files = entries.column("source_file").to_pylist()
    row = next(i for i in range(1, len(files)) if files[i] == files[i - 1])
    return {"listing_entries": set_value(entries, "source_line", row, entries.column("source_line")[row - 1].as_py() + 1)}


def rejects_after_last_entry(tables: dict[str, pa.Table], first_raw: str) -> dict[str, pa.Table]:
    """Two rejects after the last record of a file without rejects: at the next line, with
    ``first_raw``, and one line further down."""
    entries, rejects = tables["listing_entries"], tables["rejects"]
    rejected_files = set(rejects.column("source_file").to_pylist())
    lines: dict[str, int] = {}
    for source_file, line in zip(entries.column("source_file").to_pylist(), entries.column("source_line").to_pylist()):
        if source_file not in rejected_files:
            lines[source_file] = max(line, lines.get(source_file, 0))
    source_file, last = sorted(lines.items())[0]
    extra = pa.table({
        "source_file": [source_file, source_file], "source_line": [last + 3, last + 4],
        "reason": ["text outside a record (no date line above it)"] * 2, "raw": [first_raw, "stray"],
        "content_hash": ["0" * 32] * 2, "run_id": [rejects.column("run_id")[0].as_py()] * 2,
    }, schema=rejects.schema)
    return {"rejects": pa.concat_tables([rejects, extra])}


def entry_also_rejected(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    entries, rejects = tables["listing_entries"], tables["rejects"]
    extra = pa.table({
        "source_file": [entries.column("source_file")[0].as_py()], "source_line": [entries.column("source_line")[0].as_py()],
        "reason": ["invalid date"], "raw": ["LGFeb 30, 2020"], "content_hash": ["0" * 32],
        "run_id": [rejects.column("run_id")[0].as_py()],
    }, schema=rejects.schema)
    return {"rejects": pa.concat_tables([rejects, extra])}


def bump(name: str, column: str) -> Callable[[dict[str, pa.Table]], dict[str, pa.Table]]:
    def corrupt(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        table = tables[name]
        return {name: set_value(table, column, 0, table.column(column)[0].as_py() + 1)}
    return corrupt


def replace(name: str, column: str, value) -> Callable[[dict[str, pa.Table]], dict[str, pa.Table]]:
    def corrupt(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        return {name: set_value(tables[name], column, 0, value)}
    return corrupt


def first_author_moved(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Position 1 of a paper renumbered to 9: a gap (and more positions than listed authors)."""
    table = tables["paper_authors"]
    row = table.column("position").to_pylist().index(1)
    return {"paper_authors": set_value(table, "position", row, 9)}


def foreign_run(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    table = tables["listing_entries"]
    return {"listing_entries": table.set_column(
        table.schema.get_field_index("run_id"), "run_id", pa.array([NO_SUCH_ID] * table.num_rows, pa.string())
    )}


#: Audits over views and hand-written audits, each with the table change that must make it fail.
SPECIFIC: dict[str, Callable[[dict[str, pa.Table]], dict[str, pa.Table]]] = {
    "author_stats.author_id.unique": duplicate_renamed("authors", "name"),
    "coauthorship.author_id_a+author_id_b.unique_combination": duplicate_renamed("authors", "name"),
    "papers_wide.paper_id.unique": duplicate_renamed("topics", "name"),
    "publications_per_topic_year.category+year.unique_combination": duplicate_renamed("topics", "name"),
    "publications_per_affiliation_year.affiliation_id+year.unique_combination": duplicate_renamed("affiliations", "name"),
    "low_confidence_splits.entry_id.unique": uncertain_entry_twice,
    "low_confidence_splits.entry_id.not_null": uncertain_entry_without_id,
    "entries_rejects_disjoint": entry_also_rejected,
    "input_lines_counted_once": same_file_overlap,
    "papers_year_matches_date": bump("papers", "year"),
    "papers_counts_match_lineage": bump("papers", "n_entries"),
    "authors_counts_match": bump("authors", "n_variants"),
    "paper_authors_positions": first_author_moved,
    "author_links_match_authors": replace("author_links", "name", "Somebody Else"),
    "affiliations_counts_match": bump("affiliations", "n_papers"),
    "papers_category_matches_code": replace("papers", "category_code", "ZZ"),
    "lineage_run_id_is_snapshot": foreign_run,
}


def corruption_cases() -> list:
    """One case per audit: the view and hand-written ones above, a generic change for each table test."""
    cases = []
    for dataset in load_dictionary().datasets:
        for test in dataset.all_tests():
            name = generic_name(dataset, test)
            if name in SPECIFIC:
                continue
            marks = () if name in FAST_GENERIC else (pytest.mark.slow,)
            cases.append(pytest.param(name, generic_corruption(dataset.name, test), id=name, marks=marks))
    cases += [pytest.param(name, corrupt, id=name) for name, corrupt in SPECIFIC.items()]
    return cases


CASES = corruption_cases()
SPECIFIC_OR_GENERIC = {case.values[0]: case.values[1] for case in CASES}


def test_every_audit_has_a_corruption_case():
    assert sorted(case.values[0] for case in CASES) == sorted(a.name for a in all_audits())


@pytest.mark.parametrize(("name", "corrupt"), CASES)
def test_each_audit_fails_on_its_corrupted_table(snapshot_copy, originals, name, corrupt):
    with corrupted(snapshot_copy, corrupt(originals)) as run_id:
        result = audit(snapshot_copy, run_id, name)
    assert result.error is None, result.error
    assert not result.passed and result.failing_rows >= 1, name
    assert result.sample and len(result.sample[0]) == len(result.columns)


def test_the_copy_passes_again_once_restored(snapshot_copy, originals):
    """The cases above share one copy: what a case writes is undone, and a fresh connection sees it."""
    name = "paper_authors.author_id.relationships"
    with corrupted(snapshot_copy, SPECIFIC_OR_GENERIC[name](originals)) as run_id:
        assert not audit(snapshot_copy, run_id, name).passed
    assert audit(snapshot_copy, run_id, name).passed


def test_every_line_of_a_reject_counts(snapshot_copy, originals):
    """A reject accounts for all the lines of its raw text: two lines may not reach the next record."""
    tables = originals
    with corrupted(snapshot_copy, rejects_after_last_entry(tables, "stray\nlines")) as run_id:
        result = audit(snapshot_copy, run_id, "input_lines_counted_once")
    assert result.failing_rows == 1
    row = dict(zip(result.columns, result.sample[0]))
    assert (row["found_in"], row["n_lines"], row["next_record_line"]) == ("rejects", 2, row["source_line"] + 1)
    with corrupted(snapshot_copy, rejects_after_last_entry(tables, "one stray line")) as run_id:
        assert audit(snapshot_copy, run_id, "input_lines_counted_once").passed


# --------------------------------------------------------------------------- passing


def test_audits_pass_on_real_rejects(warehouse):
    """Rejects of every kind (missing lines, bad dates, junk, blank lines, CRLF) satisfy the line rules."""
    con = open_readonly(warehouse)
    try:
        ((n_rejects,),) = con.execute("SELECT count(*) FROM rejects").fetchall()
        ((multi_line,),) = con.execute("SELECT count(*) FROM rejects WHERE raw LIKE '%' || chr(10) || '%'").fetchall()
    finally:
        con.close()
    results = audit_snapshot(warehouse)
    assert n_rejects >= 5 and multi_line >= 1
    assert [(r.name, r.error, r.sample) for r in results if not r.passed] == []
    assert len(results) == len(all_audits())
    require_passing(results)


def test_an_audit_that_cannot_run_is_a_failure_not_a_crash(sample_warehouse):
    """A rule over a column that is gone fails with DuckDB's error; the next audit still runs."""
    broken = Audit("papers.gone.not_null", "gone is never NULL", "test", 'SELECT "paper_id" FROM "papers" WHERE "gone" IS NULL')
    many_rows = Audit("papers.all", "every paper", "test", 'SELECT "paper_id" FROM "papers"')
    con = open_readonly(sample_warehouse["layout"])
    try:
        first, second, third = (run_audit(con, a) for a in (many_rows, broken, all_audits()[0]))
    finally:
        con.close()
    assert first.failing_rows == 97 and len(first.sample) == SAMPLE_ROWS  # counted beyond the sample
    assert not second.passed and second.failing_rows == 0 and "gone" in (second.error or "")
    assert third.passed and third.error is None
    with pytest.raises(AuditsFailed, match=r"2 data tests failed: papers\.all, papers\.gone\.not_null"):
        require_passing([first, second, third])


def test_values_are_bound_not_spliced():
    for audit_ in all_audits():
        if audit_.name.endswith(".accepted_values"):
            assert audit_.params["accepted"]
            assert all(value not in audit_.sql for value in audit_.params["accepted"] ), audit_.name


@pytest.mark.parametrize("text", ["DROP VIEW papers", "SELECT 1; SELECT 2", "COPY papers TO 'x.csv'"])
def test_an_audit_must_be_one_query(text):
    with pytest.raises(AuditDefinitionError):
        _single_select(text, "sql/audits/x.sql")


# --------------------------------------------------------------------------- paperhouse check


def test_check_passes_on_the_samples(sample_warehouse):
    result = runner.invoke(app, ["--home", str(sample_warehouse["layout"].home), "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    n = len(all_audits())
    assert result.output.count("PASS  ") == n and "FAIL" not in result.output
    assert f"{n} audits on snapshot {sample_warehouse['summary']['run_id']}: {n} passed, 0 failed" in result.output
    assert "PASS  entries_rejects_disjoint" in result.output


def test_check_names_the_failures_and_shows_a_sample(snapshot_copy, originals):
    bad_authorship = set_value(originals["paper_authors"], "author_id", 0, NO_SUCH_ID)
    with corrupted(snapshot_copy, {"paper_authors": bad_authorship}) as run_id:
        result = runner.invoke(
            app, ["--home", str(snapshot_copy.home), "check", "--snapshot", run_id], catch_exceptions=False, terminal_width=200
        )
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert "FAIL  paper_authors.author_id.relationships: 1 offending row" in result.output
    assert NO_SUCH_ID in result.output  # the sample
    assert lines[-1].startswith("error: ") and "paper_authors.author_id.relationships" in lines[-1]
    assert "PASS  papers.paper_id.unique" in result.output


def test_check_can_skip_the_view_audits(sample_warehouse):
    views = {d.name for d in load_dictionary().of_kind("view")}
    skipped = {a.name for a in all_audits()} - {a.name for a in all_audits() if a.scope != "view"}
    assert skipped and {name.split(".")[0] for name in skipped} <= views
    result = runner.invoke(app, ["--home", str(sample_warehouse["layout"].home), "check", "--no-views"], catch_exceptions=False)
    assert result.exit_code == 0
    n = len(all_audits()) - len(skipped)
    assert f"{n} audits on snapshot" in result.output and f"{n} passed" in result.output
    assert not any(f"PASS  {name}" in result.output for name in skipped)


def test_check_without_the_snapshot_is_one_line(snapshot_copy, tmp_path):
    for args in (["--home", str(snapshot_copy.home), "check", "--snapshot", "nope"], ["--home", str(tmp_path), "check"]):
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 1
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
