"""The settings of one ingest, in one typed object.

The CLI, the scheduler and deployments all build an :class:`IngestOptions`
and hand it to the flow, so every default is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: Fail the run (publish nothing) when more than this share of newly read lines is rejected...
DEFAULT_MAX_REJECT_SHARE = 0.2
#: Seconds one HTTP request may take in all (connect, headers and body).
DEFAULT_HTTP_TIMEOUT = 20.0
#: A download larger than this is refused: a listing page is kilobytes to a few megabytes.
DEFAULT_MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
#: How long a scheduled run waits for another run holding the writer lock.
SCHEDULED_LOCK_TIMEOUT = 600.0


@dataclass(frozen=True)
class IngestOptions:
    """How to run one ingest.  ``paths`` are files, directories, URLs or ``.urls`` lists."""

    paths: list[str] = field(default_factory=list)
    captured_on: date | None = None
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE
    lock_timeout: float = 0.0
    overrides: str | None = None
    #: Title/author split corrections (default: HOME/overrides/splits.csv if present).
    split_overrides: str | None = None
    full_refresh: bool = False
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES
    accept_shrink: bool = False
    #: Parse threads in this process (None: one per core).
    workers: int | None = None
    #: Bytes of input per parse task (None: flows.parsing.BATCH_BYTES); small values
    #: spread few files over many workers of a cluster.
    batch_bytes: int | None = None
    #: The caller already holds the writer lock (the CLI takes it before Prefect starts).
    lock_held: bool = False
