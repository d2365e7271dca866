"""Process settings that must be in place before Prefect is imported."""

from __future__ import annotations

import os

from warehouse.layout import Layout

#: What Prefect sends to its API (the run's page in the UI): the flow's own INFO lines.
API_LOG_LEVEL = "INFO"
#: The terminal stays quiet unless --verbose: the CLI reports failures itself, in one line.
QUIET_CONSOLE_LEVEL = "CRITICAL"


def configure_prefect(layout: Layout, *, verbose: bool = False) -> None:
    """Give Prefect its own home under the data home unless the user chose one.

    Prefect reads its settings when first imported, so this runs first.
    Telemetry is off (it only produces errors on a machine without internet).
    Logging: every run sends INFO and up to the API, so the Prefect UI shows
    the run's log lines; only the console handler is quieted (Prefect lets
    any key of its logging.yml be overridden as PREFECT_LOGGING_<PATH>_<KEY>).
    """
    if "PREFECT_HOME" not in os.environ:
        layout.prefect_home.mkdir(parents=True, exist_ok=True)  # Prefect does not create parents
        os.environ["PREFECT_HOME"] = str(layout.prefect_home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", API_LOG_LEVEL)
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "true")
    if verbose:
        os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "INFO"
    else:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", QUIET_CONSOLE_LEVEL)
