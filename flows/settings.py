"""Process settings that must be in place before Prefect is imported."""

from __future__ import annotations

import os

from warehouse.layout import Layout


def configure_prefect(layout: Layout, *, verbose: bool = False) -> None:
    """Give Prefect its own home under the data home unless the user chose one.

    Prefect reads its settings when first imported, so this runs first.
    Telemetry is off (it only produces errors on a machine without internet).
    """
    if "PREFECT_HOME" not in os.environ:
        layout.prefect_home.mkdir(parents=True, exist_ok=True)  # Prefect does not create parents
        os.environ["PREFECT_HOME"] = str(layout.prefect_home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # Quiet by default: the CLI reports failures itself, in one line.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")
