"""``paperhouse report``: one self-contained HTML file with plots of the warehouse views.

The pieces: ``bi.report_data`` reads the numbers (read-only, after the
snapshot's manifest check), ``bi.snapshot_diff`` compares with the previous
snapshot, ``bi.charts`` decides what is charted, ``bi.figures`` draws it and
``bi.page`` lays out the HTML.  This module only writes the file: beside its
destination, then renamed over it, so a browser never loads half a report.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from bi.charts import build_charts
from bi.oserrors import is_out_of_space
from bi.page import render_html
from bi.report_data import load_report_data
from warehouse.layout import Layout

#: Where the report goes without ``--out``, under the data home.
DEFAULT_REPORT = "report.html"


def write_report(layout: Layout, out: Path | None = None, snapshot: str | None = None) -> Path:
    """Write the report for the current snapshot (or ``snapshot``); returns its path."""
    data = load_report_data(layout, snapshot)
    text = render_html(data, build_charts(data))
    target = Path(out).expanduser().resolve() if out is not None else layout.home / DEFAULT_REPORT
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_out_of_space(exc):  # name the report, not the hidden temporary file
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
