"""Publish one run: snapshot, catalog, then the ``current`` switch -- in that order.

The order is what makes a crash harmless: until the final rename of
``current`` nothing a reader uses has changed, and after it everything has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from warehouse.catalog import build_catalog
from warehouse.layout import Layout
from warehouse.snapshots import Snapshot, switch_current, write_snapshot


@dataclass(frozen=True)
class Published:
    snapshot: Snapshot
    new_snapshot: bool
    switched: bool


def publish(layout: Layout, run_id: str, tables: dict[str, pl.DataFrame], metadata: dict[str, Any]) -> Published:
    """Write the snapshot (unless it exists), rebuild the catalog, switch ``current``.

    The caller holds the writer lock.
    """
    existed = layout.snapshot(run_id).exists()
    snapshot = write_snapshot(layout, run_id, tables, metadata)
    return _point_at(layout, snapshot, new_snapshot=not existed)


def republish(layout: Layout, snapshot: Snapshot) -> Published:
    """Point ``current`` (and the catalog) at an existing snapshot."""
    return _point_at(layout, snapshot, new_snapshot=False)


def _point_at(layout: Layout, snapshot: Snapshot, *, new_snapshot: bool) -> Published:
    if layout.current_run_id() != snapshot.run_id or not layout.catalog.exists():
        build_catalog(layout.catalog, snapshot.path, snapshot.run_id)
    switched = switch_current(layout, snapshot.run_id)
    return Published(snapshot=snapshot, new_snapshot=new_snapshot, switched=switched)
