"""Worker processes parse exactly what one thread parses, and never re-run the caller."""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from flows.parsing import ToRead, batches, in_processes, parse_batch, read_pieces

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CAPTURED_ON = datetime.date(2026, 1, 15)

pytestmark = pytest.mark.slow


def sample_batches(batch_bytes: int) -> list:
    sources = [ToRead(path, CAPTURED_ON) for path in sorted(SAMPLES.glob("*.txt"))]
    return list(batches(read_pieces(sources, piece_bytes=4096), [s.captured_on for s in sources], batch_bytes))


def test_processes_return_the_parses_of_one_thread_in_order():
    work = sample_batches(batch_bytes=8192)
    assert len(work) >= 3, "the samples should make several batches"
    expected = [parse_batch(batch) for batch in work]
    got = list(in_processes(2)(iter(work)))
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected):
        assert_frame_equal(mine.entries, theirs.entries)
        assert_frame_equal(mine.rejects, theirs.rejects)


def test_an_unguarded_script_is_not_run_again_by_its_workers(tmp_path):
    """Spawned workers import ``__main__`` again unless it is hidden; a script
    without ``if __name__ == "__main__"`` would then start another run in every worker."""
    marker = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        import datetime, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from flows.parsing import ToRead, batches, in_processes, read_pieces
        with open({str(marker)!r}, "a") as out:
            out.write("run\\n")
        sources = [ToRead(p, datetime.date(2026, 1, 15)) for p in sorted(Path({str(SAMPLES)!r}).glob("*.txt"))]
        work = batches(read_pieces(sources), [s.captured_on for s in sources], 4096)
        print(sum(chunk.entries.height for chunk in in_processes(2)(work)))
    """))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) > 0
    assert marker.read_text() == "run\n"
