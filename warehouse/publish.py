"""Publish one run: a complete snapshot first, then the one atomic ``current`` switch.

The order is what makes a crash harmless: until the rename of ``current``
nothing a reader uses has changed, and after it everything has -- the data
and the catalog together, because the catalog lives inside the snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from warehouse.audits import audit_snapshot, require_passing
from warehouse.faults import pause_point
from warehouse.layout import Layout
from warehouse.snapshots import MANIFEST, Snapshot, link_catalog, switch_current, write_snapshot


@dataclass(frozen=True)
class Published:
    snapshot: Snapshot
    new_snapshot: bool
    switched: bool


def publish(layout: Layout, run_id: str, tables: dict[str, pl.DataFrame], metadata: dict[str, Any]) -> Published:
    """Write the snapshot (unless it is complete already) and switch ``current`` to it.

    The caller holds the writer lock.
    """
    existed = (layout.snapshot(run_id) / MANIFEST).exists()
    snapshot = write_snapshot(layout, run_id, tables, metadata)
    return _point_at(layout, snapshot, new_snapshot=not existed)


def republish(layout: Layout, snapshot: Snapshot) -> Published:
    """Point ``current`` at an existing snapshot."""
    return _point_at(layout, snapshot, new_snapshot=False)


def _point_at(layout: Layout, snapshot: Snapshot, *, new_snapshot: bool) -> Published:
    if layout.current_run_id() != snapshot.run_id:
        # the data tests gate every switch: a snapshot that fails them is kept for
        # inspection (``paperhouse check --snapshot``) but never becomes current
        require_passing(audit_snapshot(layout, snapshot.run_id, include_views=False))
    link_catalog(layout)
    pause_point("before-switch")
    switched = switch_current(layout, snapshot.run_id)
    pause_point("after-switch")
    return Published(snapshot=snapshot, new_snapshot=new_snapshot, switched=switched)
