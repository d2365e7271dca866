"""The data dictionary: every table, view and column described once, in ``sql/dictionary.yml``.

One file says what each dataset is, each column's type and meaning, and which
generic data tests hold; everything else is derived from it, so nothing can
drift: the Arrow schemas writers cast to (``warehouse.schema.TABLE_SCHEMAS``),
the catalog's ``COMMENT ON`` statements, the ``description`` of each column in
an export manifest, ``paperhouse describe``, the README's Tables/Views sections
and the generic audits of ``paperhouse check`` (``warehouse.audits``).

The grain of a table or view is not repeated here: it is read from the
``-- grain:`` header of its ``sql/<name>.sql``, where the design requires it.

The file is loaded strictly (unknown keys, duplicate keys, unknown types or
tests, a test naming a column that does not exist are errors) because a
dictionary that silently ignores a typo documents nothing.  Identifiers are
restricted to lower-case snake case, so the SQL built from them (comments,
audit templates) only ever embeds names quoted by :func:`quote_identifier` and
text quoted by the catalog's audited :func:`~warehouse.catalog.sql_string_literal`.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

DICTIONARY_FILE = "dictionary.yml"
#: The SQL type names a column may have, and the Arrow type each is written as.
SQL_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP WITH TIME ZONE": pa.timestamp("us", tz="UTC"),
}
#: Top-level sections of the file and the kind of dataset each holds.
SECTIONS: dict[str, str] = {"tables": "table", "views": "view", "catalog": "catalog"}
#: Tests a column may declare (dbt's generic tests plus dbt_utils' accepted_range).
COLUMN_TESTS = ("unique", "not_null", "accepted_values", "accepted_range", "relationships")
#: Tests a dataset may declare over several of its columns.
DATASET_TESTS = ("unique_combination",)
DATASET_KEYS = frozenset({"description", "columns", "data_tests", "grain"})
COLUMN_KEYS = frozenset({"type", "description", "example", "data_tests"})
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
#: README markers around each generated section.
README_BEGIN = "<!-- BEGIN generated: {section} (from sql/dictionary.yml; `python -m warehouse.dictionary README.md`) -->"
README_END = "<!-- END generated: {section} -->"
#: Accepted values are spelled out in the README's compact column list only when there are this few.
README_MAX_VALUES = 3

#: One template per kind of catalog object (DuckDB reports each as TABLE or VIEW).
COMMENT_ON_OBJECT = {
    "TABLE": "COMMENT ON TABLE {{object}} IS {{text}}",
    "VIEW": "COMMENT ON VIEW {{object}} IS {{text}}",
}
COMMENT_ON_COLUMN = "COMMENT ON COLUMN {{object}}.{{column}} IS {{text}}"
CATALOG_OBJECTS = (
    "SELECT table_name AS name, 'TABLE' AS kind FROM duckdb_tables() WHERE NOT internal "
    "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal"
)
CATALOG_COLUMNS = "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal"


class DictionaryError(ValueError):
    """The dictionary file is malformed, or a name is not in it."""


@dataclass(frozen=True)
class DataTest:
    """One generic test: ``kind`` over ``columns`` with its arguments."""

    kind: str
    columns: tuple[str, ...]
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    to_table: str | None = None
    to_column: str | None = None

    def label(self) -> str:
        """How the test reads in ``describe`` (``accepted_values: day, day_inferred_year``)."""
        if self.kind == "accepted_values":
            return "one of: " + ", ".join(self.values)
        if self.kind == "accepted_range":
            low = "" if self.minimum is None else f"{self.minimum:g} <= "
            high = "" if self.maximum is None else f" <= {self.maximum:g}"
            return f"range: {low}x{high}"
        if self.kind == "relationships":
            return f"in {self.to_table}.{self.to_column}"
        if self.kind == "unique_combination":
            return "unique (" + ", ".join(self.columns) + ")"
        return self.kind


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    tests: tuple[DataTest, ...] = ()
    example: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Dataset:
    """A table (Parquet file and view of the same name), an aggregate view, or a catalog table."""

    name: str
    kind: str
    description: str
    columns: tuple[Column, ...]
    tests: tuple[DataTest, ...] = ()
    grain: str | None = None

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise DictionaryError(f"{self.name} has no column {name!r}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema([(c.name, c.arrow_type) for c in self.columns])

    @property
    def row_key(self) -> tuple[str, ...]:
        """Columns that identify a row (for audit samples): a unique combination, else a unique
        column, else every column."""
        for test in self.tests:
            if test.kind == "unique_combination":
                return test.columns
        for column in self.columns:
            if any(t.kind == "unique" for t in column.tests):
                return (column.name,)
        return tuple(self.column_names)

    def all_tests(self) -> list[DataTest]:
        """Dataset-level tests, then each column's, in file order."""
        return [*self.tests, *(t for c in self.columns for t in c.tests)]


@dataclass(frozen=True)
class Dictionary:
    datasets: tuple[Dataset, ...]
    _by_name: dict[str, Dataset] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({d.name: d for d in self.datasets})

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.datasets]

    def of_kind(self, kind: str) -> list[Dataset]:
        return [d for d in self.datasets if d.kind == kind]

    def get(self, name: str) -> Dataset:
        """The dataset ``name``; an unknown name is a :class:`DictionaryError` naming the known ones."""
        try:
            return self._by_name[name]
        except KeyError:
            raise DictionaryError(
                f"unknown table or view {name!r} (known: {', '.join(self.names)})"
            ) from None

    def find(self, name: str) -> Dataset | None:
        return self._by_name.get(name)


# --------------------------------------------------------------------------- loading


#: libyaml's parser when PyYAML was built with it (10x faster: the schemas are read on every start).
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SAFE_LOADER):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise DictionaryError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _one_line(text: Any, where: str) -> str:
    """Descriptions become one line: DuckDB comments and table cells have no use for newlines."""
    if not isinstance(text, str) or not text.strip():
        raise DictionaryError(f"{where}: needs a non-empty description")
    return " ".join(text.split())


def _identifier(name: Any, where: str) -> str:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise DictionaryError(f"{where}: {name!r} is not a lower-case snake_case name")
    return name


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DictionaryError(f"{where}: expected a mapping")
    return value


def _unknown_keys(value: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(str(key) for key in set(value) - allowed)  # YAML keys need not be strings
    if extra:
        raise DictionaryError(f"{where}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DictionaryError(f"{where}: bounds must be numbers, got {value!r}")
    return value


def _parse_test(raw: Any, column: Column | None, where: str) -> DataTest:
    """One entry of a ``data_tests`` list: a bare name or a one-key mapping with arguments."""
    if isinstance(raw, str):
        kind, args = raw, None
    elif isinstance(raw, Mapping) and len(raw) == 1:
        ((kind, args),) = raw.items()
    else:
        raise DictionaryError(f"{where}: a test is a name or a one-key mapping, got {raw!r}")
    allowed = COLUMN_TESTS if column is not None else DATASET_TESTS
    if kind not in allowed:
        raise DictionaryError(f"{where}: unknown test {kind!r} (allowed: {', '.join(allowed)})")
    if column is None:  # unique_combination
        if not isinstance(args, list) or len(args) < 2:
            raise DictionaryError(f"{where}: unique_combination needs a list of at least two columns")
        return DataTest(kind, tuple(_identifier(c, where) for c in args))
    columns = (column.name,)
    if kind in ("unique", "not_null"):
        if args is not None:
            raise DictionaryError(f"{where}: {kind} takes no arguments")
        return DataTest(kind, columns)
    if kind == "accepted_values":
        if column.type != "VARCHAR":
            raise DictionaryError(f"{where}: accepted_values applies to VARCHAR columns")
        if not isinstance(args, list) or not args or not all(isinstance(v, str) for v in args):
            raise DictionaryError(f"{where}: accepted_values needs a non-empty list of strings")
        return DataTest(kind, columns, values=tuple(args))
    if kind == "accepted_range":
        bounds = _mapping(args, where)
        _unknown_keys(bounds, frozenset({"min", "max"}), where)
        minimum, maximum = _number(bounds.get("min"), where), _number(bounds.get("max"), where)
        if minimum is None and maximum is None:
            raise DictionaryError(f"{where}: accepted_range needs min, max or both")
        return DataTest(kind, columns, minimum=minimum, maximum=maximum)
    target = _mapping(args, where)  # relationships
    _unknown_keys(target, frozenset({"to", "field"}), where)
    if set(target) != {"to", "field"}:
        raise DictionaryError(f"{where}: relationships needs 'to' and 'field'")
    return DataTest(kind, columns, to_table=_identifier(target["to"], where), to_column=_identifier(target["field"], where))


def _tests(raw: Any, column: Column | None, where: str) -> tuple[DataTest, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise DictionaryError(f"{where}: data_tests must be a list")
    return tuple(_parse_test(item, column, where) for item in raw)


def _parse_column(name: Any, raw: Any, where: str) -> Column:
    where = f"{where}.{name}"
    spec = _mapping(raw, where)
    _unknown_keys(spec, COLUMN_KEYS, where)
    sql_type = spec.get("type")
    if sql_type not in SQL_TYPES:
        raise DictionaryError(f"{where}: type must be one of {', '.join(SQL_TYPES)}, got {sql_type!r}")
    example = spec.get("example")
    if example is not None and not isinstance(example, str):
        raise DictionaryError(f"{where}: example must be a string (quote it), got {example!r}")
    column = Column(_identifier(name, where), sql_type, _one_line(spec.get("description"), where))
    return Column(column.name, column.type, column.description, _tests(spec.get("data_tests"), column, where), example)


def _parse_dataset(name: Any, raw: Any, kind: str, grains: Mapping[str, str]) -> Dataset:
    where = _identifier(name, "dictionary")
    spec = _mapping(raw, where)
    _unknown_keys(spec, DATASET_KEYS, where)
    if kind == "catalog":
        if not isinstance(spec.get("grain"), str):
            raise DictionaryError(f"{where}: a catalog object has no .sql file, so it states its grain")
        grain: str | None = _one_line(spec["grain"], where)
    else:
        if "grain" in spec:
            raise DictionaryError(f"{where}: the grain lives in sql/{name}.sql's '-- grain:' header, not here")
        grain = grains.get(name)
    columns_raw = _mapping(spec.get("columns"), f"{where}.columns")
    if not columns_raw:
        raise DictionaryError(f"{where}: has no columns")
    columns = tuple(_parse_column(c, spec_c, where) for c, spec_c in columns_raw.items())
    dataset = Dataset(name, kind, _one_line(spec.get("description"), where), columns, grain=grain)
    tests = _tests(spec.get("data_tests"), None, where)
    for test in tests:
        for column in test.columns:
            dataset.column(column)  # raises for a column that does not exist
    return Dataset(name, kind, dataset.description, columns, tests, grain)


def parse_dictionary(text: str, grains: Mapping[str, str] | None = None) -> Dictionary:
    """Parse and check dictionary ``text``; ``grains`` maps view names to their SQL header's grain."""
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise DictionaryError(f"dictionary is not valid YAML: {exc}") from exc
    top = _mapping(raw, "dictionary")
    _unknown_keys(top, frozenset(SECTIONS), "dictionary")
    datasets: list[Dataset] = []
    for section, kind in SECTIONS.items():
        for name, spec in _mapping(top.get(section) or {}, section).items():
            if any(d.name == name for d in datasets):
                raise DictionaryError(f"{name} is described twice")
            datasets.append(_parse_dataset(name, spec, kind, grains or {}))
    dictionary = Dictionary(tuple(datasets))
    for dataset in dictionary.datasets:
        for test in dataset.all_tests():
            if test.kind == "relationships":
                where = f"{dataset.name}.{test.columns[0]}"
                target = dictionary.find(test.to_table or "")
                if target is None:
                    raise DictionaryError(f"{where}: relationships to unknown dataset {test.to_table!r}")
                target.column(test.to_column or "")
    return dictionary


def dictionary_text() -> str:
    return resources.files("paperhouse_sql").joinpath(DICTIONARY_FILE).read_text(encoding="utf-8")


@functools.cache
def load_dictionary() -> Dictionary:
    """The shipped dictionary with each view's grain from its SQL header (parsed once per process)."""
    from warehouse.catalog import view_files  # catalog imports this module's users: import when called

    return parse_dictionary(dictionary_text(), {view.name: view.grain for view in view_files()})


@functools.cache
def table_schemas() -> dict[str, pa.Schema]:
    """The published Arrow schema of every table, in dictionary order (``TABLE_SCHEMAS``).

    Reads no SQL files (the grains are not needed), so ``warehouse.schema`` can
    use it without importing the catalog.
    """
    return {d.name: d.arrow_schema for d in parse_dictionary(dictionary_text()).of_kind("table")}


def describe_dataset(name: str) -> Dataset | None:
    """The dictionary entry for ``name``, or None (for hooks that must not fail on a new view)."""
    return load_dictionary().find(name)


# --------------------------------------------------------------------------- SQL text


def quote_identifier(name: str) -> str:
    """A double-quoted identifier; only snake_case names from the dictionary are accepted."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"refusing to quote {name!r} as an identifier")
    return '"' + name + '"'


def render_sql(
    template: str,
    identifiers: Mapping[str, str | Sequence[str]],
    literals: Mapping[str, str] | None = None,
) -> str:
    """Fill ``{{name}}`` placeholders: identifiers (a name or a list, quoted and comma-joined) and
    string literals (quoted by the catalog's audited helper).  Values never reach SQL any other way;
    a placeholder without a value is an error."""
    from warehouse.catalog import sql_string_literal

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in identifiers:
            value = identifiers[key]
            names = [value] if isinstance(value, str) else list(value)
            if not names:
                raise ValueError(f"placeholder {{{{{key}}}}} got no identifiers")
            return ", ".join(quote_identifier(n) for n in names)
        if literals is not None and key in literals:
            return sql_string_literal(literals[key])
        raise ValueError(f"no value for placeholder {{{{{key}}}}}")

    return PLACEHOLDER.sub(fill, template)


def object_comment(dataset: Dataset) -> str:
    """A table's or view's comment: its description and grain."""
    return f"{dataset.description} Grain: {dataset.grain}." if dataset.grain else dataset.description


def comment_statements(dictionary: Dictionary, objects: Mapping[str, str], columns: Mapping[str, set[str]]) -> list[str]:
    """``COMMENT ON`` statements for the catalog objects that exist (``objects``: name -> TABLE/VIEW,
    ``columns``: name -> its column names).  Objects and columns the catalog lacks are skipped: the
    dictionary tests, not every ingest, are where a mismatch fails."""
    statements = []
    for dataset in dictionary.datasets:
        template = COMMENT_ON_OBJECT.get(objects.get(dataset.name, ""))
        if template is None:
            continue
        statements.append(render_sql(
            template,
            {"object": dataset.name},
            {"text": object_comment(dataset)},
        ))
        present = columns.get(dataset.name, set())
        for column in dataset.columns:
            if column.name in present:
                statements.append(render_sql(
                    COMMENT_ON_COLUMN, {"object": dataset.name, "column": column.name}, {"text": column.description}
                ))
    return statements


def apply_comments(con: Any) -> int:
    """Comment every catalog view, table and column the dictionary describes; returns how many.

    Called by ``build_catalog`` on the new catalog before it is renamed into place.
    """
    objects = dict(con.execute(CATALOG_OBJECTS).fetchall())
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(CATALOG_COLUMNS).fetchall():
        columns.setdefault(table, set()).add(column)
    statements = comment_statements(load_dictionary(), objects, columns)
    con.begin()  # one transaction: each auto-committed COMMENT would cost a WAL sync
    try:
        for statement in statements:
            con.execute(statement)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return len(statements)


# --------------------------------------------------------------------------- README


def _readme_column(column: Column) -> str:
    """``name``, with its few accepted values or its example: ``split_rule (`strict` / `loose`)``."""
    for test in column.tests:
        if test.kind == "accepted_values" and len(test.values) <= README_MAX_VALUES:
            return f"{column.name} (" + " / ".join(f"`{v}`" for v in test.values) + ")"
    if column.example is not None:
        return f"{column.name} (`{column.example}`)"
    return column.name


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_section(dictionary: Dictionary, kind: str) -> str:
    """The README's compact table of ``kind`` datasets (``table`` or ``view``), without markers."""
    datasets = dictionary.of_kind(kind)
    lines = [f"| {kind} | grain | columns |", "|---|---|---|"]
    for dataset in datasets:
        columns = ", ".join(_readme_column(c) for c in dataset.columns)
        lines.append(f"| `{dataset.name}` | {_cell(dataset.grain or '')} | {_cell(columns)} |")
    return "\n".join(lines)


README_SECTIONS = {"tables": "table", "views": "view"}


def render_readme(text: str, dictionary: Dictionary) -> str:
    """``text`` (a README) with every generated section replaced by the dictionary's current one."""
    for section, kind in README_SECTIONS.items():
        begin, end = README_BEGIN.format(section=section), README_END.format(section=section)
        start, stop = text.find(begin), text.find(end)
        if start < 0 or stop < start:
            raise DictionaryError(f"README has no generated section {section!r} (markers {begin!r} ... {end!r})")
        text = text[: start + len(begin)] + "\n" + readme_section(dictionary, kind) + "\n" + text[stop:]
    return text


def write_readme(path: Path) -> bool:
    """Regenerate ``path``'s sections in place (temp file + rename); True if it changed."""
    old = path.read_text(encoding="utf-8")
    new = render_readme(old, load_dictionary())
    if new == old:
        return False
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)
    return True


def main(argv: Sequence[str]) -> int:
    """``python -m warehouse.dictionary README.md``: regenerate the README's dictionary sections."""
    if len(argv) != 1:
        print("usage: python -m warehouse.dictionary README.md", file=sys.stderr)
        return 2
    changed = write_readme(Path(argv[0]))
    print(f"{argv[0]}: {'updated' if changed else 'up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
