"""The data dictionary: it matches what is really published, and it reaches every place it feeds."""

from __future__ import annotations

import json
import re

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO, examples
from warehouse.catalog import view_files
from warehouse.dictionary import (
    DictionaryError,
    comment_statements,
    load_dictionary,
    parse_dictionary,
    quote_identifier,
    render_readme,
    render_sql,
)
from warehouse.query import open_readonly

runner = CliRunner()
DICTIONARY = load_dictionary()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def catalog_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every user table and view of a catalog -> its (column, type) in order, read from DuckDB."""
    found: dict[str, list[tuple[str, str]]] = {}
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal "
        "ORDER BY table_name, column_index"
    ).fetchall()
    for table, column, data_type in rows:
        found.setdefault(table, []).append((column, data_type))
    return found


# --------------------------------------------------------------------------- matches the real warehouse


def test_dictionary_matches_the_published_parquet_files(sample_warehouse):
    """Both ways: every published file is a described table with exactly its columns and types."""
    current = sample_warehouse["layout"].current
    published = {p.stem: pq.read_schema(p) for p in current.glob("*.parquet")}
    described = {d.name: d for d in DICTIONARY.of_kind("table")}
    assert set(published) == set(described)
    for name, schema in published.items():
        assert [(f.name, f.type) for f in schema] == [(c.name, c.arrow_type) for c in described[name].columns], name


def test_dictionary_matches_the_catalog(sample_warehouse):
    """Both ways: every table and view DuckDB shows is described, column for column, with its type."""
    con = open_readonly(sample_warehouse["layout"])
    try:
        actual = catalog_columns(con)
    finally:
        con.close()
    expected = {d.name: [(c.name, c.type) for c in d.columns] for d in DICTIONARY.datasets}
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], name


def test_every_view_file_is_described_and_has_its_grain():
    shipped = {view.name: view.grain for view in view_files()}
    described = {d.name: d for d in DICTIONARY.datasets if d.kind in ("table", "view")}
    assert set(shipped) == set(described)
    for name, dataset in described.items():
        assert dataset.grain == shipped[name] and dataset.grain, name
    for dataset in DICTIONARY.of_kind("catalog"):
        assert dataset.grain


def test_accepted_values_cover_what_the_code_produces():
    """The vocabularies are stated in the dictionary; the transforms' own constants must be in them."""
    from transforms import parse
    from transforms.authors.evidence import CONFIDENCE
    from transforms.authors.overrides import MANUAL, OVERRIDE_MERGE
    from transforms.authors.resolve import CANONICAL, FOLDED, SAME_FOLDED_FORM

    def accepted(table: str, column: str) -> set[str]:
        (test,) = [t for t in DICTIONARY.get(table).column(column).tests if t.kind == "accepted_values"]
        return set(test.values)

    reasons = {value for name, value in vars(parse).items() if name.startswith("REASON_")}
    assert accepted("rejects", "reason") == reasons
    assert accepted("author_links", "rule") == {rule for rule, _ in CONFIDENCE} | {CANONICAL, FOLDED, OVERRIDE_MERGE}
    assert accepted("author_links", "evidence") == {e for _, e in CONFIDENCE} | {SAME_FOLDED_FORM, MANUAL}


# --------------------------------------------------------------------------- where it reaches


def test_catalog_comments_come_from_the_dictionary(sample_warehouse):
    con = open_readonly(sample_warehouse["layout"])
    try:
        objects = dict(con.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal "
            "UNION ALL SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"
        ).fetchall())
        columns = {
            (table, column): comment
            for table, column, comment in con.execute(
                "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE NOT internal"
            ).fetchall()
        }
    finally:
        con.close()
    for dataset in DICTIONARY.datasets:
        assert objects[dataset.name].startswith(dataset.description), dataset.name
        assert dataset.grain in objects[dataset.name]
        for column in dataset.columns:
            assert columns[(dataset.name, column.name)] == column.description, (dataset.name, column.name)


#: What a YAML file may hold (no control, surrogate or unassigned code points), plus SQL's troublemakers.
DESCRIPTION_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from(" \t\n'\"\\;-"), min_size=1
)


@pytest.fixture(scope="module")
def scratch_db():
    """One in-memory DuckDB for all examples (connecting per example costs more than the check)."""
    con = duckdb.connect()
    yield con
    con.close()


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=DESCRIPTION_TEXT)
def test_any_description_survives_the_comment_quoting(scratch_db, text):
    """Quotes, backslashes, semicolons, non-ASCII: a description reaches DuckDB exactly (whitespace folded)."""
    if not text.split():
        return
    spec = {"tables": {"t": {"description": text, "columns": {"c": {"type": "VARCHAR", "description": text}}}}}
    yaml_text = json.dumps(spec, ensure_ascii=False)  # JSON is YAML
    dictionary = parse_dictionary(yaml_text, {"t": "one row per test"})
    con = scratch_db
    con.execute("CREATE OR REPLACE VIEW t AS SELECT 'x' AS c")  # fresh, without the last example's comments
    for statement in comment_statements(dictionary, {"t": "VIEW"}, {"t": {"c"}}):
        con.execute(statement)
    ((view_comment,),) = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = 't'").fetchall()
    ((column_comment,),) = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 't'").fetchall()
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall() == [(1,)]
    folded = " ".join(text.split())
    assert column_comment == folded
    assert view_comment == f"{folded} Grain: one row per test."


def test_export_manifest_describes_every_column(sample_warehouse, tmp_path):
    from bi.export import export_warehouse

    manifest = export_warehouse(sample_warehouse["layout"], tmp_path / "out", names=["papers", "author_stats"])
    for name, entry in manifest["tables"].items():
        dataset = DICTIONARY.get(name)
        assert entry["description"] == dataset.description
        assert [(c["name"], c["description"]) for c in entry["schema"]] == [
            (c.name, c.description) for c in dataset.columns
        ]
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert on_disk["tables"]["papers"]["schema"][0]["description"] == DICTIONARY.get("papers").columns[0].description


def readme_tables(text: str, header: str) -> dict[str, list[str]]:
    """``| `name` | grain | a, b (`x`), c |`` rows of the README table starting with ``header``."""
    start = text.index(header)
    found = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("| `"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        name = cells[0].strip("`")
        found[name] = [re.sub(r"\s*\(.*\)$", "", c).strip() for c in re.split(r",\s*(?![^()]*\))", cells[2])]
    return found


def test_readme_sections_are_generated_from_the_dictionary():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert render_readme(readme, DICTIONARY) == readme, (
        "README.md is stale: run `.venv/bin/python -m warehouse.dictionary README.md`"
    )
    # and, read back as a person would: every README column is described, every described one listed
    for header, kind in (("| table | grain | columns |", "table"), ("| view | grain | columns |", "view")):
        listed = readme_tables(readme, header)
        assert listed == {d.name: d.column_names for d in DICTIONARY.of_kind(kind)}


# --------------------------------------------------------------------------- describe


def test_describe_lists_every_dataset():
    result = invoke("describe")
    assert result.exit_code == 0
    for dataset in DICTIONARY.datasets:
        assert dataset.name in result.output


def test_describe_one_table_as_json_is_the_dictionary():
    result = invoke("describe", "paper_authors", "--format", "JSON")
    assert result.exit_code == 0
    (described,) = json.loads(result.output)
    dataset = DICTIONARY.get("paper_authors")
    assert described["grain"] == dataset.grain
    assert described["data_tests"] == ["unique (paper_id, position)"]
    assert [(c["name"], c["type"], c["description"]) for c in described["columns"]] == [
        (c.name, c.type, c.description) for c in dataset.columns
    ]
    assert described["columns"][1]["data_tests"] == ["not_null", "in authors.author_id"]


def test_describe_text_shows_columns_types_and_tests():
    for width in ("200", "80"):  # nothing is cut off on a narrow terminal either
        result = runner.invoke(app, ["describe", "listing_entries"], catch_exceptions=False, env={"COLUMNS": width})
        assert result.exit_code == 0
        assert "one row per parsed input record" in result.output
        assert re.search(r"split_rule\s+│ VARCHAR\s+│ How the title was", result.output)
        cells = " ".join(
            line.split("│")[4].strip() for line in result.output.splitlines() if line.count("│") == 5
        )
        assert "one of: strict, loose" in " ".join(cells.split()), width


def test_describe_unknown_name_is_one_line():
    result = invoke("describe", "paper")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown table or view 'paper' (known: papers, ")
    bad_format = invoke("describe", "--format", "xml")
    assert bad_format.exit_code == 2 and "unknown --format" in bad_format.output


# --------------------------------------------------------------------------- the file is checked strictly


GOOD = {"tables": {"t": {"description": "d", "columns": {"a": {"type": "VARCHAR", "description": "d"}}}}}


def with_change(path: str, value) -> str:
    doc = json.loads(json.dumps(GOOD))
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[key]
    node[last] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tables:\n  t:\n    description: d\n    description: e\n    columns: {a: {type: VARCHAR, description: d}}\n",
         "duplicate key 'description'"),
        (with_change("tables.t.columns.a.kind", "x"), "unknown key 'kind'"),
        (with_change("tables.t.columns.a.type", "TEXT"), "type must be one of"),
        (with_change("tables.t.columns.a.description", " "), "needs a non-empty description"),
        (with_change("tables.t.columns.a.data_tests", ["uniq"]), "unknown test 'uniq'"),
        (with_change("tables.t.columns.a.data_tests", [{"relationships": {"to": "nope", "field": "a"}}]),
         "relationships to unknown dataset 'nope'"),
        (with_change("tables.t.columns.a.data_tests", [{"relationships": {"to": "t", "field": "b"}}]),
         "t has no column 'b'"),
        (with_change("tables.t.columns.a.data_tests", [{"accepted_range": {}}]), "needs min, max or both"),
        (with_change("tables.t.data_tests", [{"unique_combination": ["a", "zz"]}]), "t has no column 'zz'"),
        (with_change("tables.t.grain", "one row"), "lives in sql/t.sql"),
        (with_change("tables.T", GOOD["tables"]["t"]), "is not a lower-case snake_case name"),
        (with_change("views", {"t": GOOD["tables"]["t"]}), "t is described twice"),
        (with_change("tables.t.columns", {"a": {"type": "INTEGER", "description": "d", "data_tests": [{"accepted_values": ["1"]}]}}),
         "accepted_values applies to VARCHAR columns"),
        ("tables: [", "not valid YAML"),
    ],
)
def test_malformed_dictionaries_are_refused(text, message):
    with pytest.raises(DictionaryError, match=re.escape(message)):
        parse_dictionary(text)


def test_sql_text_only_embeds_checked_names():
    assert render_sql("SELECT {{cols}} FROM {{t}}", {"cols": ["a", "b"], "t": "papers"}) == 'SELECT "a", "b" FROM "papers"'
    for bad in ('a"; DROP VIEW papers; --', "Papers", "1a", ""):
        with pytest.raises(ValueError):
            quote_identifier(bad)
    with pytest.raises(ValueError, match="no value for placeholder"):
        render_sql("SELECT {{missing}}", {})


def test_the_dictionary_is_part_of_the_publish_fingerprint():
    """The dictionary decides the published schemas and comments: editing it must change the run id,
    or a re-run would say 'inputs unchanged' and keep the old tables."""
    from flows import runid

    assert "warehouse.dictionary" in runid.PUBLISH_MODULES
    assert any(name == "sql/dictionary.yml" for name, _ in runid._view_files())
