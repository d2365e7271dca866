"""Hostile input directories: links, loops, pipes and unreadable entries.

Each test builds a real tree on disk.  The tests run as root, for whom
permission bits do not stop a read, so "unreadable" is reproduced three ways:
entries that are unreadable for anyone (a broken link, a link loop, a named
pipe), and permission denied for real by running the expansion as the
unprivileged user ``nobody`` in a subprocess (``os.setuid``), skipped when the
tests do not run as root.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import REPO, SAMPLES, plain_ingest, write_listing

A = "LGFeb 16, 2022Code\nOpen-Ended Reinforcement Learning with Neural Reward FunctionsRobert Meier, Asier Mujika\nInspired by unsupervised learning.\n"
C = "MLOct 1, 2018\nTaming VAEsDanilo Jimenez Rezende, Fabio Viola\nIn spite of remarkable progress.\n"
NOBODY = 65534


def names(paths: list[Path], root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


def test_symlinked_directory_inside_an_input_directory_is_read(tmp_path):
    """Reproduces issue 11 item 7: the linked files were never read, with no warning."""
    from flows.extract import expand_paths, expand_sources

    inbox = tmp_path / "inbox"
    write_listing(inbox / "a.txt", A)
    write_listing(tmp_path / "elsewhere" / "b.txt", C)
    write_listing(tmp_path / "elsewhere" / "deeper" / "c.txt", C)
    (inbox / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)

    found = expand_sources([str(inbox)])
    assert names(found.files, inbox) == ["a.txt", "linked/b.txt", "linked/deeper/c.txt"]
    assert found.skipped == []
    assert expand_paths([str(inbox)]) == found.files  # the old API, same files


def test_linked_files_reach_the_warehouse(tmp_path):
    """End to end (the ingest's own steps): records behind a directory link are published."""
    inbox = tmp_path / "inbox"
    write_listing(inbox / "a.txt", A)
    (tmp_path / "crawl").mkdir()
    (tmp_path / "crawl" / "profile.txt").write_bytes((SAMPLES / "000_bac2de915468d2e7.txt").read_bytes())
    (inbox / "crawl").symlink_to(tmp_path / "crawl", target_is_directory=True)

    summary, layout = plain_ingest(tmp_path / "home", [inbox])
    entries = pl.read_parquet(layout.current / "listing_entries.parquet")
    per_file = dict(entries.group_by("source_file").len().iter_rows())
    assert per_file == {str(inbox / "a.txt"): 1, str(inbox / "crawl" / "profile.txt"): 12}
    assert summary["n_rejects"] == 0


def test_link_to_an_ancestor_does_not_loop_or_duplicate_and_is_named(tmp_path):
    from flows.extract import expand_sources

    inbox = tmp_path / "inbox"
    write_listing(inbox / "a.txt", A)
    write_listing(inbox / "sub" / "b.txt", C)
    (inbox / "sub" / "up").symlink_to(inbox, target_is_directory=True)  # back to the root
    (inbox / "sub" / "here").symlink_to(".", target_is_directory=True)  # to itself
    (inbox / "top").symlink_to(tmp_path, target_is_directory=True)  # above the root: that is read, once

    found = expand_sources([str(inbox)])
    assert names(found.files, inbox) == ["a.txt", "sub/b.txt"]
    assert sorted(found.skipped) == sorted([
        (str(inbox / "sub" / "here"), f"symbolic link loop: leads back to {inbox / 'sub'}, whose files are read once"),
        (str(inbox / "sub" / "up"), f"symbolic link loop: leads back to {inbox}, whose files are read once"),
        (str(inbox / "top" / "inbox"), f"symbolic link loop: leads back to {inbox}, whose files are read once"),
    ])


def test_a_directory_reached_twice_is_read_once_by_its_own_name(tmp_path):
    from flows.extract import expand_sources

    inbox = tmp_path / "inbox"
    write_listing(inbox / "real" / "x.txt", A)
    (inbox / "alias").symlink_to(inbox / "real", target_is_directory=True)  # sorts before "real"
    (inbox / "also.txt").symlink_to(inbox / "real" / "x.txt")  # a linked file, same inode
    os.link(inbox / "real" / "x.txt", inbox / "real" / "y.txt")  # a hard link, same inode

    found = expand_sources([str(inbox), str(inbox / "real"), str(inbox / "real" / "x.txt")])
    assert names(found.files, inbox) == ["real/x.txt"]
    assert found.skipped == []


def test_unreadable_entries_are_named_not_skipped_silently(tmp_path):
    from flows.extract import expand_sources

    inbox = tmp_path / "inbox"
    write_listing(inbox / "good.txt", A)
    (inbox / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (inbox / "loop1").symlink_to(inbox / "loop2")
    (inbox / "loop2").symlink_to(inbox / "loop1")
    os.mkfifo(inbox / "pipe.txt")  # opening it would block the run forever
    write_listing(inbox / ".hidden.txt", A)  # hidden names stay skipped: documented, not an error
    write_listing(inbox / "_draft.txt", A)
    write_listing(inbox / "~backup.txt", A)
    write_listing(inbox / ".git" / "HEAD", "ref: refs/heads/main\n")

    found = expand_sources([str(inbox)])
    assert names(found.files, inbox) == ["good.txt"]
    assert found.skipped == [
        (str(inbox / "dangling.txt"), "broken symbolic link (its target does not exist)"),
        (str(inbox / "loop1"), "symbolic link loop"),
        (str(inbox / "loop2"), "symbolic link loop"),
        (str(inbox / "pipe.txt"), "not a regular file (named pipe)"),
    ]
    assert found.describe()[0] == f"{inbox / 'dangling.txt'}: broken symbolic link (its target does not exist)"


def test_an_unusable_argument_is_a_clear_error(tmp_path):
    from flows.extract import SourceError, expand_sources

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    cases = {
        str(tmp_path / "missing.txt"): f"no such file or directory: {tmp_path / 'missing.txt'}",
        str(tmp_path / "dangling"): f"no such file or directory: {tmp_path / 'dangling'}",
        str(tmp_path / "pipe"): f"not a regular file or directory: {tmp_path / 'pipe'} (named pipe)",
        str(tmp_path / "l1"): f"symbolic link loop: {tmp_path / 'l1'}",
    }
    for argument, message in cases.items():
        with pytest.raises(SourceError) as caught:
            expand_sources([argument])
        assert str(caught.value) == message


def test_a_deep_tree_needs_no_recursion(tmp_path):
    """The walk keeps its own stack: a tree deeper than the interpreter's recursion
    limit (lowered here to keep the tree small and quick to build) is walked."""
    from flows.extract import expand_sources

    depth = 300
    deep = tmp_path.joinpath(*["d"] * depth)
    deep.mkdir(parents=True)
    (deep / "x.txt").write_text(A)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + depth // 2)
    try:
        found = expand_sources([str(tmp_path)])
    finally:
        sys.setrecursionlimit(limit)
    assert found.files == [deep / "x.txt"]


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to user nobody needs root")
def test_permission_denied_is_named_for_an_unprivileged_user():
    """As root nothing is unreadable, so the expansion runs as ``nobody``."""
    root = Path(tempfile.mkdtemp(prefix="paperhouse-perm-"))  # not under pytest's 0700 tmp_path
    try:
        root.chmod(0o755)
        inbox = root / "inbox"
        write_listing(inbox / "good.txt", A)
        write_listing(inbox / "secret.txt", A).chmod(0o600)  # root's, unreadable for nobody
        write_listing(inbox / "closed" / "inner.txt", A)
        (inbox / "closed").chmod(0o700)
        write_listing(inbox / "listable" / "inner.txt", A)
        (inbox / "listable").chmod(0o744)  # names readable, entries not reachable (no x bit)
        inbox.chmod(0o755)
        # import everything before dropping privileges: the interpreter's own files may
        # not be readable for nobody (they are under /root here)
        script = (
            "import json, os, sys\n"
            f"sys.path.insert(0, {str(REPO)!r})\n"
            "from flows.extract import expand_sources\n"
            f"os.setgid({NOBODY}); os.setuid({NOBODY})\n"
            f"found = expand_sources([{str(inbox)!r}])\n"
            "print(json.dumps({'files': [str(p) for p in found.files], 'skipped': found.skipped}))\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout)
        assert found["files"] == [str(inbox / "good.txt")]
        assert sorted(found["skipped"]) == [
            [str(inbox / "closed"), "permission denied"],
            [str(inbox / "listable" / "inner.txt"), "permission denied"],
            [str(inbox / "secret.txt"), "permission denied"],
        ]
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=True)
