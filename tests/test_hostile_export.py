"""Hostile conditions for the BI outputs: an OUT inside the data home, killed exports, forged tables, a full disk.

Each test reproduces an item of issue 11 against real files: the export and
report refuse in one line (exit 1, no traceback), lose nothing, and leave no
temporary behind.  Killed exports are real ``paperhouse`` processes stopped
with SIGKILL at named pause points (``warehouse/faults.py``).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bi.export_target import (
    OLD_PREFIX,
    PAUSE_BEFORE_PUBLISH,
    PAUSE_BETWEEN_RENAMES,
    PAUSE_DURING_WRITE,
    TMP_PREFIX,
)
from flows.cli import app
from tests.conftest import flip_column_data_byte, paperhouse_exe, plain_ingest, wait_until_paused, write_listing
from warehouse.faults import PAUSE_AT_ENV, PAUSE_FILE_ENV
from warehouse.layout import Layout
from bi.snapshot_diff import snapshots_oldest_first
from warehouse.snapshots import list_snapshots

runner = CliRunner()
FIRST = (
    "LGJan 5, 2021Code\nA Study of ThingsJane Doe, Bob Roberts · acme\nAbstract one.\n"
    "CLMar 3, 2022\nAnother Study of ThingsJ. Doe, Carl Carlson · acme\nAbstract two.\n"
    "CLDec 32, 2023\nBroken Date PaperXavier Young\nAbstract three.\n"
)
SECOND = FIRST + "CVJun 9, 2024\nSeeing Further With LensesOlga Petrova, Ivan Sidorov · mit\nAbstract four.\n"
#: Size of the small file system the full-disk tests write to, and the room left free on it.
TMPFS_SIZE = "1m"
FREE_BYTES = 4 * 1024
PAUSE_TIMEOUT = 60.0


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` with its sha256 (symlinks by target), to prove nothing changed."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def hidden(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Layout:
    """A data home with two snapshots and the things a user keeps there: listings, overrides, Prefect state.

    Shared by the module: tests that damage it use ``forge``, which puts every file back afterwards.
    """
    root = tmp_path_factory.mktemp("hostile-export")
    inbox = root / "home" / "inbox"
    write_listing(inbox / "profile.txt", FIRST)
    plain_ingest(root / "home", [inbox])
    write_listing(inbox / "profile.txt", SECOND)
    _, layout = plain_ingest(root / "home", [inbox])
    layout.overrides.parent.mkdir(parents=True, exist_ok=True)
    layout.overrides.write_text("action,name_a,name_b\n")
    layout.prefect_home.mkdir(exist_ok=True)
    (layout.prefect_home / "prefect.db").write_bytes(b"not really a database")
    assert len(list_snapshots(layout)) == 2
    return layout


# --------------------------------------------------------------------------- OUT inside the data home


def test_out_inside_the_data_home_is_refused(home, tmp_path):
    before = tree(home.home)
    link = tmp_path / "looks-outside"
    link.symlink_to(home.inbox, target_is_directory=True)
    inside = [home.inbox, home.prefect_home, home.overrides.parent, home.warehouse, home.current,
              home.home / "new-dir", home.home / "inbox" / "deeper", link]
    for out in inside:
        result = invoke("--home", str(home.home), "export", str(out), "--force", "--tables", "topics")
        assert result.exit_code == 1, out
        assert len(lines(result)) == 1 and lines(result)[0].startswith("error: refusing to export into "), result.output
        assert "inside the data home" in lines(result)[0]
    elsewhere = tmp_path / "other-disk" / "downloads"  # a part of the home kept on another disk
    elsewhere.mkdir(parents=True)
    home.downloads.symlink_to(elsewhere, target_is_directory=True)
    try:
        result = invoke("--home", str(home.home), "export", str(elsewhere / "x"), "--tables", "topics")
    finally:
        home.downloads.unlink()
    assert result.exit_code == 1 and "inside the data home" in result.output
    assert not (elsewhere / "x").exists()
    for out in (home.home, home.home.parent):  # the home itself, or a directory holding it
        result = invoke("--home", str(home.home), "export", str(out), "--force", "--tables", "topics")
        assert result.exit_code == 1 and len(lines(result)) == 1 and "contains the data home" in result.output
    assert tree(home.home) == before  # listings, overrides, Prefect state and warehouse untouched
    assert not (home.home / "new-dir").exists()


# --------------------------------------------------------------------------- leftovers of killed exports


def start_paused(home: Layout, out: Path, point: str, marker: Path, *options: str) -> subprocess.Popen:
    env = {**os.environ, PAUSE_AT_ENV: point, PAUSE_FILE_ENV: str(marker)}
    proc = subprocess.Popen(
        [paperhouse_exe(), "--home", str(home.home), "export", str(out), "--force", *options],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_until_paused(proc, marker, point, timeout=PAUSE_TIMEOUT)
    return proc


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


@pytest.mark.slow
@pytest.mark.parametrize("point", [PAUSE_DURING_WRITE, PAUSE_BEFORE_PUBLISH, PAUSE_BETWEEN_RENAMES])
def test_a_killed_export_is_cleaned_or_restored_by_the_next(home, tmp_path, point):
    parent = tmp_path / "exports"
    out = parent / "bi"
    first = invoke("--home", str(home.home), "export", str(out), "--tables", "papers,authors")
    assert first.exit_code == 0, first.output
    original = tree(out)

    proc = start_paused(home, out, point, tmp_path / "pause", "--tables", "topics", "--format", "csv")
    kill(proc)
    left = hidden(parent)
    assert any(name.startswith(TMP_PREFIX + "bi-") for name in left), left  # the killed export's staging dir
    if point == PAUSE_BETWEEN_RENAMES:
        assert not out.exists()  # the killed export's state: OUT gone, the old export under another name
        assert any(name.startswith(OLD_PREFIX + "bi-") for name in left), left
    else:
        assert tree(out) == original

    # the next export without --force restores OUT if needed, cleans up, and refuses to replace it
    again = invoke("--home", str(home.home), "export", str(out), "--tables", "topics")
    assert again.exit_code == 1
    assert lines(again)[-1] == f"error: {out} exists and is not empty (use --force to replace it)"
    notes = [line for line in lines(again) if line.startswith("note: ")]
    assert notes and len(notes) == len(lines(again)) - 1, again.output
    if point == PAUSE_BETWEEN_RENAMES:
        assert any(note.startswith(f"note: restored {out}") for note in notes)
    assert tree(out) == original  # the previous export, complete and unchanged
    assert hidden(parent) == []

    replaced = invoke("--home", str(home.home), "export", str(out), "--force", "--tables", "topics")
    assert replaced.exit_code == 0, replaced.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "topics"]
    assert hidden(parent) == []


def test_leftovers_of_live_exports_and_other_outs_are_left_alone(home, tmp_path):
    import fcntl

    parent = tmp_path / "exports"
    out = parent / "bi"
    assert invoke("--home", str(home.home), "export", str(out), "--tables", "topics").exit_code == 0
    dead = parent / f"{TMP_PREFIX}bi-4194304-0123abcd"  # a dead export's staging directory
    (dead / "papers").mkdir(parents=True)
    (dead / "papers" / "part-0.parquet").write_bytes(b"x" * 4096)
    dead_old = parent / f"{OLD_PREFIX}bi-4194304-89abcdef"  # OUT exists, so this one is stale
    dead_old.mkdir()
    (dead_old / "manifest.json").write_text("{}")
    live = parent / f"{TMP_PREFIX}bi-4194305-00000000"
    live.mkdir()
    other = parent / f"{TMP_PREFIX}other-4194304-0123abcd"  # another OUT's leftover: not ours to judge
    other.mkdir()
    not_ours = parent / ".tmp-export-bi-notes"  # does not have the shape of a staging directory
    not_ours.mkdir()
    fd = os.open(live, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running export holds its staging directory
    try:
        result = invoke("--home", str(home.home), "export", str(out), "--force", "--tables", "authors")
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.output
    assert [line for line in lines(result) if line.startswith("note: ")] == [
        f"note: removed {dead_old.name}, left by an interrupted export",
        f"note: removed {dead.name}, left by an interrupted export",
    ]
    assert hidden(parent) == sorted([live.name, other.name, not_ours.name])
    assert sorted(p.name for p in out.iterdir()) == ["authors", "manifest.json"]


# --------------------------------------------------------------------------- forged tables


@pytest.fixture
def forge(home):
    """``forge(path, same_size=...)`` damages a snapshot file; every damaged file is restored after the test."""
    originals: dict[Path, tuple[bytes | None, int]] = {}

    def damage(path: Path, *, same_size: bool = False, text: str | None = None) -> None:
        existed = path.exists()
        if path not in originals:
            originals[path] = (path.read_bytes() if existed else None, path.stat().st_mode if existed else 0)
        if existed:
            os.chmod(path, 0o644)  # snapshot files may be read-only (root ignores it anyway)
        if text is not None:
            path.write_text(text)
        elif same_size:  # the same size, one byte of column data flipped: only the checksum can tell
            flip_column_data_byte(path)
        else:  # another valid Parquet file
            pq.write_table(pa.table({"a": [1]}), path)

    before = tree(home.home)
    yield damage
    for path, (data, mode) in originals.items():
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)
            os.chmod(path, mode)
    assert tree(home.home) == before


def refused(result, run_id: str) -> str:
    assert result.exit_code == 1, result.output
    assert len(lines(result)) == 1, result.output
    (line,) = lines(result)
    assert line.startswith(f"error: snapshot {run_id} fails its manifest check: "), line
    return line


def test_forged_tables_are_refused_by_export_and_report(home, forge, tmp_path):
    current = home.current_run_id()
    older = snapshots_oldest_first(home)[0].run_id
    out = tmp_path / "bi"
    report_file = tmp_path / "report.html"

    forge(home.snapshot(current) / "papers.parquet", same_size=False)
    line = refused(invoke("--home", str(home.home), "export", str(out)), current)
    assert "papers.parquet: is " in line and "the manifest says" in line
    line = refused(invoke("--home", str(home.home), "report", "-o", str(report_file)), current)
    assert "papers.parquet" in line
    assert not out.exists() and not report_file.exists() and hidden(tmp_path) == []

    # an older snapshot, exported by run id (issue 11: "export then ships the forged table")
    forge(home.snapshot(older) / "authors.parquet", same_size=True)
    line = refused(invoke("--home", str(home.home), "export", str(out), "--snapshot", older), older)
    assert "authors.parquet: sha256 differs from the manifest" in line
    assert not out.exists() and hidden(tmp_path) == []


def test_a_forged_previous_snapshot_is_not_compared(home, forge):
    from bi.page import changes_section
    from bi.report_data import load_report_data

    older = snapshots_oldest_first(home)[0].run_id
    forge(home.snapshot(older) / "rejects.parquet", same_size=False)
    data = load_report_data(home)  # the reported snapshot is intact: the report goes on
    assert data.changes.counts == [] and data.changes.examples == []  # nothing read from the forged one
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", changes_section(data.changes))).split())
    created = snapshots_oldest_first(home)[0].manifest["created_at"]
    assert text.startswith(f"Since the previous snapshot Not compared with snapshot {older} (created {created}): "
                           "its files fail the manifest check (rejects.parquet: is "), text


def test_malformed_or_extra_snapshot_files_are_one_line(home, forge, tmp_path):
    current = home.current_run_id()
    snapshot_dir = home.snapshot(current)
    forge(snapshot_dir / "extra.parquet")
    line = refused(invoke("--home", str(home.home), "export", str(tmp_path / "bi")), current)
    assert "extra.parquet: is not listed in _snapshot.json" in line
    (snapshot_dir / "extra.parquet").unlink()

    from bi.report_data import load_report_data

    older = snapshots_oldest_first(home)[0].run_id
    forge(home.snapshot(older) / "_snapshot.json", text="{ not json")  # an old snapshot's manifest
    changes = load_report_data(home).changes  # the report on the intact current snapshot goes on
    assert changes.counts == [] and changes.problem.startswith("the snapshots cannot be listed")

    forge(snapshot_dir / "_snapshot.json", text="{ not json")
    result = invoke("--home", str(home.home), "report", "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 1 and len(lines(result)) == 1, result.output
    assert lines(result)[0].startswith("error: ")  # whoever notices first, it is one line
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A tiny tmpfs, nearly filled; needs root (mount), skipped otherwise. Unmounted at the end."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        free = shutil.disk_usage(mount).free
        with (mount / "filler").open("wb") as handle:
            handle.write(b"\0" * (free - FREE_BYTES))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_line_and_leaves_nothing(home, small_disk):
    out = small_disk / "bi"
    result = invoke("--home", str(home.home), "export", str(out), "--format", "csv", "--tables", "topics")
    assert result.exit_code == 1
    assert lines(result) == [f"error: no space left on device while writing the export to {out}"]
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # staging directory removed

    report_file = small_disk / "report.html"  # plotly.js alone is ~5 MB
    result = invoke("--home", str(home.home), "report", "-o", str(report_file))
    assert result.exit_code == 1
    assert lines(result) == [f"error: no space left on device while writing {report_file}"]
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]
