"""Shared fixtures: a real Prefect test harness, real files, a real warehouse."""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
CAPTURED_ON = datetime.date(2026, 11, 23)


def pytest_configure(config: pytest.Config) -> None:
    # Prefect reads its settings on first import: isolate it before any test module imports it.
    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="paperhouse-prefect-")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def sample_warehouse(prefect_harness, tmp_path_factory) -> dict:
    """The samples ingested once through the real flow; tests must not modify it."""
    from flows.ingest import ingest_flow
    from warehouse.layout import Layout

    home = tmp_path_factory.mktemp("home")
    summary = ingest_flow(paths=[str(SAMPLES)], home=str(home), captured_on=CAPTURED_ON)
    return {"layout": Layout.at(home), "summary": summary}


def write_listing(path: Path, text: str | bytes) -> Path:
    """Write a listing file exactly as given (bytes for encoding tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path
