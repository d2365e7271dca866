"""Data tests: audits written as zero-row queries, run on a snapshot's catalog.

An audit is a SELECT that returns the rows breaking a rule, so it passes when
it returns none (dbt's tests and sqlmesh's audits work the same way).  Two
sources:

- **generic audits**, generated from the data dictionary's ``data_tests``
  (unique, not_null, accepted_values, accepted_range, relationships,
  unique_combination) by filling the templates in ``sql/audits/generic/``
  with quoted identifiers; values (accepted lists, bounds) are bound
  parameters, never SQL text;
- **hand-written audits**, one file each in ``sql/audits/`` with a header
  naming the audit and saying what it checks (cross-table rules such as "each
  input line is in exactly one of listing_entries or rejects").

Audits run through the caller's connection, normally the read-only,
locked-down one from :func:`warehouse.query.open_readonly`, and each is
checked to be a single reading statement first.  A failing audit reports how
many offending rows it found and a sample; an audit that cannot run (a view
lost a column) is a failure with its error, not a crash, so ``check`` still
reports all the others.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import duckdb

from warehouse.dictionary import DataTest, Dataset, Dictionary, load_dictionary, render_sql
from warehouse.layout import Layout
from warehouse.query import check_read_only, open_readonly

AUDIT_DIR = "audits"
TEMPLATE_DIR = "generic"
#: Offending rows kept as a sample for the report.
SAMPLE_ROWS = 5
HEADER = re.compile(r"^--\s*(audit|template|checks):\s*(.+?)\s*$", re.MULTILINE)
#: The template parameters a generic test binds, by kind.
PARAMS = re.compile(r"\$(accepted|min|max)\b")


class AuditDefinitionError(ValueError):
    """An audit file or template is malformed (missing header, not one SELECT)."""


class AuditsFailed(RuntimeError):
    """Raised by :func:`require_passing`: the snapshot breaks its data tests."""

    def __init__(self, failed: Sequence["AuditResult"]):
        self.failed = list(failed)
        names = ", ".join(r.name for r in self.failed)
        super().__init__(f"{len(self.failed)} data test{'s' if len(self.failed) != 1 else ''} failed: {names}")


@dataclass(frozen=True)
class Audit:
    """One zero-row query: ``sql`` with bound ``params``; ``checks`` says what it checks."""

    name: str
    checks: str
    source: str
    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    #: What it reads: ``table`` (one published table), ``view`` (an aggregate view: costs as much
    #: as the view) or ``tables`` (a hand-written rule across tables).
    scope: str = "tables"


@dataclass(frozen=True)
class AuditResult:
    audit: Audit
    failing_rows: int
    columns: tuple[str, ...] = ()
    sample: tuple[tuple[Any, ...], ...] = ()
    seconds: float = 0.0
    error: str | None = None

    @property
    def name(self) -> str:
        return self.audit.name

    @property
    def passed(self) -> bool:
        return self.error is None and self.failing_rows == 0


# --------------------------------------------------------------------------- definitions


def _header(text: str, where: str) -> dict[str, str]:
    found = {key: value for key, value in HEADER.findall(text)}
    if "checks" not in found:
        raise AuditDefinitionError(f"{where} has no '-- checks:' header")
    return found


def _single_select(text: str, where: str) -> str:
    """``text``, refused unless it is exactly one reading statement (the same type check as
    analyst SQL, :func:`warehouse.query.check_read_only`)."""
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise AuditDefinitionError(f"{where}: {' '.join(str(exc).split())}") from exc
    if len(statements) != 1:
        raise AuditDefinitionError(f"{where} must hold one query, found {len(statements)}")
    try:
        check_read_only(text)
    except ValueError as exc:  # QueryRefused
        raise AuditDefinitionError(f"{where}: {exc}") from exc
    return text


@functools.cache
def templates() -> dict[str, tuple[str, str]]:
    """Generic test kind -> (template SQL, its ``checks`` sentence)."""
    found = {}
    folder = resources.files("paperhouse_sql").joinpath(AUDIT_DIR, TEMPLATE_DIR)
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            text = entry.read_text(encoding="utf-8")
            header = _header(text, f"sql/{AUDIT_DIR}/{TEMPLATE_DIR}/{entry.name}")
            found[header.get("template", entry.name.removesuffix(".sql"))] = (text, header["checks"])
    return found


def hand_written() -> list[Audit]:
    """The audits of ``sql/audits/*.sql``, by name; each file's ``-- audit:`` is its file name."""
    audits = []
    folder = resources.files("paperhouse_sql").joinpath(AUDIT_DIR)
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        where = f"sql/{AUDIT_DIR}/{entry.name}"
        text = entry.read_text(encoding="utf-8")
        header = _header(text, where)
        name = entry.name.removesuffix(".sql")
        if header.get("audit") != name:
            raise AuditDefinitionError(f"{where}: its '-- audit:' header must be {name!r}")
        audits.append(Audit(name, header["checks"], where, _single_select(text, where)))
    return sorted(audits, key=lambda a: a.name)


def generic_name(dataset: Dataset, test: DataTest) -> str:
    """``papers.paper_id.unique``; a combination joins its columns with ``+``."""
    return f"{dataset.name}.{'+'.join(test.columns)}.{test.kind}"


def _identifiers(dataset: Dataset, test: DataTest) -> dict[str, str | tuple[str, ...]]:
    column = test.columns[0]
    row_key = dataset.row_key
    if column in row_key:  # the key itself is NULL or out of range: show the whole row
        row_key = tuple(dataset.column_names)
    names: dict[str, str | tuple[str, ...]] = {
        "table": dataset.name, "column": column, "columns": test.columns, "row_key": row_key,
    }
    if test.kind == "relationships":
        names.update(to_table=test.to_table or "", to_column=test.to_column or "")
    return names


def _params(test: DataTest) -> dict[str, Any]:
    if test.kind == "accepted_values":
        return {"accepted": list(test.values)}
    if test.kind == "accepted_range":
        return {"min": test.minimum, "max": test.maximum}
    return {}


def _plain(sentence: str, identifiers: dict[str, str | tuple[str, ...]], params: dict[str, Any]) -> str:
    """A template's ``checks`` sentence with its names and parameters spelled out for people."""
    def name(match: re.Match[str]) -> str:
        value = identifiers.get(match.group(1), match.group(0))
        return value if isinstance(value, str) else ", ".join(value)

    def param(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        if isinstance(value, list):
            return "(" + ", ".join(value) + ")"
        return "unbounded" if value is None else f"{value:g}"

    return PARAMS.sub(param, re.sub(r"\{\{(\w+)\}\}", name, sentence))


def generic(dictionary: Dictionary | None = None) -> list[Audit]:
    """One audit per ``data_tests`` entry of the dictionary, in dictionary order."""
    dictionary = dictionary or load_dictionary()
    known = templates()
    audits = []
    for dataset in dictionary.datasets:
        for test in dataset.all_tests():
            template, sentence = known[test.kind]
            identifiers, params = _identifiers(dataset, test), _params(test)
            name = generic_name(dataset, test)
            audits.append(Audit(
                name=name,
                checks=_plain(sentence, identifiers, params),
                source=f"sql/dictionary.yml ({dataset.name}), template sql/{AUDIT_DIR}/{TEMPLATE_DIR}/{test.kind}.sql",
                sql=_single_select(render_sql(template, identifiers), name),
                params=params,
                scope="view" if dataset.kind == "view" else "table",
            ))
    return audits


def all_audits(dictionary: Dictionary | None = None) -> list[Audit]:
    """Generic audits, then hand-written ones; names are unique.  The shipped set is built once
    per process (the ingest checks every snapshot it publishes)."""
    if dictionary is None:
        return list(_shipped_audits())
    audits = generic(dictionary) + hand_written()
    seen: set[str] = set()
    for audit in audits:
        if audit.name in seen:
            raise AuditDefinitionError(f"two audits are named {audit.name!r}")
        seen.add(audit.name)
    return audits


@functools.cache
def _shipped_audits() -> tuple[Audit, ...]:
    return tuple(all_audits(load_dictionary()))


# --------------------------------------------------------------------------- running


def run_audit(con: duckdb.DuckDBPyConnection, audit: Audit) -> AuditResult:
    """Run one audit and keep a sample of its rows.  The rows are counted (by a second query)
    only when there are more than the sample: a passing audit, the common case, is one query
    that returns nothing."""
    started = time.perf_counter()
    try:
        result = con.execute(audit.sql, audit.params or None)
        columns = tuple(d[0] for d in result.description or ())
        sample = result.fetchmany(SAMPLE_ROWS)
        count = len(sample)
        if count == SAMPLE_ROWS:
            con.abort()  # drop the rest of this result before the count runs on the connection
            ((count,),) = con.sql(audit.sql, params=audit.params or None).aggregate("count(*)").fetchall()
    except duckdb.Error as exc:
        message = " ".join(str(exc).split())
        try:
            con.abort()  # a result that failed half-way must not block the next audit
        except duckdb.Error:
            pass
        return AuditResult(audit, 0, seconds=time.perf_counter() - started, error=message)
    return AuditResult(audit, count, columns, tuple(sample), time.perf_counter() - started)


def run_audits(
    con: duckdb.DuckDBPyConnection, names: Iterable[str] | None = None, *, include_views: bool = True
) -> list[AuditResult]:
    """Run every audit (or only ``names``, in the given order) over ``con``.

    This is the hook for the ingest: run it on the new snapshot's catalog
    before switching ``current`` and refuse to publish if any result fails
    (:func:`require_passing`).  ``include_views=False`` skips the audits of
    aggregate views, which cost as much as computing the view (coauthorship
    pairs); their grains only break when a table key repeats, which the
    table audits catch.
    """
    audits = [a for a in all_audits() if include_views or a.scope != "view"]
    if names is not None:
        by_name = {a.name: a for a in audits}
        wanted = list(names)
        unknown = [n for n in wanted if n not in by_name]
        if unknown:
            raise KeyError(f"unknown audit {unknown[0]!r}")
        audits = [by_name[n] for n in wanted]
    return [run_audit(con, audit) for audit in audits]


def audit_snapshot(layout: Layout, run_id: str | None = None, *, include_views: bool = True) -> list[AuditResult]:
    """The audits on snapshot ``run_id`` (default: the current one), read-only and locked down."""
    con = open_readonly(layout, run_id)
    try:
        return run_audits(con, include_views=include_views)
    finally:
        con.close()


def failures(results: Iterable[AuditResult]) -> list[AuditResult]:
    return [r for r in results if not r.passed]


def require_passing(results: Iterable[AuditResult]) -> None:
    """Raise :class:`AuditsFailed` naming every failed audit, if any."""
    failed = failures(results)
    if failed:
        raise AuditsFailed(failed)
