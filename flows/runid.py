"""Run ids derived from content, which is what makes re-runs idempotent.

A run id is a hash of the pipeline's own code (transforms, SQL, schema) and of
every input (bytes and capture date).  The same inputs through the same code
give the same id, so a re-run finds its snapshot already published and does
nothing; any change to either gives a new snapshot.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flows.sources import SourceState

_CODE_DIRS = ("transforms", "warehouse")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the source files that decide what a run publishes."""
    import paperhouse_sql
    import transforms
    import warehouse

    digest = hashlib.sha256()
    roots = [Path(m.__file__).parent for m in (transforms, warehouse, paperhouse_sql)]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".sql"} and "__pycache__" not in path.parts:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_id_for(sources: list[SourceState], extra: bytes = b"") -> str:
    """Deterministic id of a run over ``sources`` (order-independent) and ``extra``
    configuration that changes the result (the overrides file)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(hashlib.sha256(extra).digest())
    for key in sorted(f"{s.source_file}\x1f{s.sha256}\x1f{s.captured_on.isoformat()}" for s in sources):
        digest.update(key.encode())
        digest.update(b"\n")
    return digest.hexdigest()[:16]
