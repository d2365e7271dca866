"""Fingerprints of the code, and run ids derived from content: what makes re-runs idempotent.

Two fingerprints with honest scopes:

- the **parse** fingerprint covers the code that turns a source's bytes into
  parsed records (reading pieces, decoding, cutting records, the grammar, text
  normalisation, hashing).  It keys the parse cache: a cached parse is reused
  only by the code that would produce it again.
- the **publish** fingerprint covers that plus the code and SQL that shape the
  published tables and views (dedupe, author resolution, table building, the
  schema, the view files).  It feeds the run id.

Report, export, CLI and test code are in neither, so editing a report query
republishes nothing.  Files are hashed with their package-relative path, so a
file moved between modules changes the fingerprint even when its bytes do not.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from warehouse.sources import SourceState

#: Modules whose code decides what a source's bytes parse into.
PARSE_MODULES = (
    "flows.extract",
    "flows.parsing",
    "transforms.authors.keys",
    "transforms.categories",
    "transforms.grammar",
    "transforms.ids",
    "transforms.names",
    "transforms.parse",
    "transforms.records",
    "transforms.split",
    "transforms.text",
)
#: Further modules whose code decides what a run publishes from parsed records.
PUBLISH_MODULES = (
    "transforms.affiliations",
    "transforms.authors.candidates",
    "transforms.authors.clustering",
    "transforms.authors.evidence",
    "transforms.authors.overrides",
    "transforms.authors.partition",
    "transforms.authors.resolve",
    "transforms.corpus",
    "transforms.model",
    "transforms.papers",
    "transforms.tables",
    "warehouse.catalog",
    "warehouse.schema",
    "warehouse.snapshots",
    "warehouse.tables_io",
    "warehouse.corpus",
    "warehouse.dictionary",
)
#: The view files (top level of the ``paperhouse_sql`` package; not report or audit queries).
VIEW_PACKAGE = "paperhouse_sql"
FINGERPRINT_LENGTH = 16


def _module_files(names: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """(module name, source bytes) of each module, found without importing it."""
    found = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"fingerprinted module {name} not found")
        found.append((name, Path(spec.origin).read_bytes()))
    return found


def _view_files() -> list[tuple[str, bytes]]:
    return sorted(
        (f"sql/{entry.name}", entry.read_bytes())
        for entry in resources.files(VIEW_PACKAGE).iterdir()
        if entry.name.endswith((".sql", ".yml"))
    )


def _digest(parts: list[tuple[str, bytes]], *extra: str) -> str:
    digest = hashlib.sha256()
    for text in extra:
        digest.update(text.encode())
        digest.update(b"\0")
    for relative, data in sorted(parts):
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


@lru_cache(maxsize=1)
def parse_fingerprint() -> str:
    """Hash of the code that turns bytes into parsed records (and of the Polars
    version, whose string functions it relies on)."""
    return _digest(_module_files(PARSE_MODULES), f"polars {pl.__version__}")


@lru_cache(maxsize=1)
def publish_fingerprint() -> str:
    """Hash of everything that decides what a run publishes from its inputs."""
    return _digest(_module_files(PUBLISH_MODULES) + _view_files(), parse_fingerprint())


def run_id_for(sources: list[SourceState], extra: bytes = b"") -> str:
    """Deterministic id of a run over ``sources`` (order-independent) and ``extra``
    configuration that changes the result (the overrides files)."""
    digest = hashlib.sha256(publish_fingerprint().encode())
    digest.update(hashlib.sha256(extra).digest())
    for key in sorted(f"{s.source_file}\x1f{s.sha256}\x1f{s.captured_on.isoformat()}" for s in sources):
        digest.update(key.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]
