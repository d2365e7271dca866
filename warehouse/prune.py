"""Remove old snapshots, never the current one, under the writer lock."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from warehouse import parse_cache
from warehouse.layout import Layout
from warehouse.lock import writer_lock
from warehouse.snapshots import list_snapshots


@dataclass(frozen=True)
class PruneResult:
    kept: list[str]
    removed: list[str]
    cache_files_removed: int


def prune_snapshots(layout: Layout, keep: int, lock_timeout: float = 0.0) -> PruneResult:
    """Keep the ``keep`` newest snapshots plus the current one; drop the rest.

    A reader that has an old snapshot's catalog open keeps its file handles
    (POSIX unlink semantics), but new queries of a pruned run id fail cleanly.
    """
    with writer_lock(layout.lock, timeout=lock_timeout):
        snapshots = list_snapshots(layout)
        current = layout.current_run_id()
        newest = {s.run_id for s in snapshots[-keep:]}
        kept = [s for s in snapshots if s.run_id in newest or s.run_id == current]
        removed = [s for s in snapshots if s not in kept]
        for snapshot in removed:
            # rename first so a half-deleted directory is never mistaken for a snapshot
            doomed = snapshot.path.with_name(f".tmp-prune-{snapshot.run_id}")
            snapshot.path.rename(doomed)
            shutil.rmtree(doomed)
        fingerprints = {s.manifest.get("parse_fingerprint", "") for s in kept}
        names = {
            parse_cache.key_name(src["sha256"], src["captured_on"])
            for s in kept for src in s.manifest.get("sources", [])
        }
        cache_removed = parse_cache.prune(layout, fingerprints, names)
    return PruneResult(
        kept=[s.run_id for s in kept], removed=[s.run_id for s in removed], cache_files_removed=cache_removed
    )
