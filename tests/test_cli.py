"""The command line: exit codes, one-line errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import REPO, SAMPLES

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_missing_path_is_one_clear_line(tmp_path):
    result = invoke("--home", str(tmp_path), "ingest", str(tmp_path / "nope.txt"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"error: no such file or directory: {tmp_path / 'nope.txt'}"]


def test_sql_formats(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    as_json = invoke("--home", home, "sql", "SELECT count(*) AS n FROM papers", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == [{"n": 97}]
    as_csv = invoke("--home", home, "sql", "SELECT category, count(*) AS n FROM papers GROUP BY 1 ORDER BY 1", "-f", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.output)))
    assert rows[0] == ["category", "n"]
    assert sum(int(n) for _, n in rows[1:]) == 97
    table = invoke("--home", home, "sql", "SELECT 42 AS answer")
    assert "answer" in table.output and "42" in table.output


def test_sql_from_file(sample_warehouse, tmp_path):
    query = tmp_path / "q.sql"
    query.write_text("SELECT count(*) AS n FROM listing_entries")
    result = invoke("--home", str(sample_warehouse["layout"].home), "sql", "--file", str(query), "-f", "json")
    assert json.loads(result.output) == [{"n": 104}]


def test_sql_errors_are_one_line(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    for statement, expected in [
        ("DROP VIEW papers", "error: only read-only queries are allowed"),
        ("SELEC 1", "error: Parser Error"),
        ("SELECT nope FROM papers", "error: Binder Error"),
    ]:
        result = invoke("--home", home, "sql", statement)
        assert result.exit_code == 1, statement
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(expected), (statement, result.output)


def test_sql_and_status_without_a_warehouse(tmp_path):
    for args in (["sql", "SELECT 1"], ["status"]):
        result = invoke("--home", str(tmp_path), *args)
        assert result.exit_code == 1
        assert "run `paperhouse ingest` first" in result.output


def test_status_shows_current_snapshot(sample_warehouse):
    result = invoke("--home", str(sample_warehouse["layout"].home), "status")
    assert result.exit_code == 0
    assert sample_warehouse["summary"]["run_id"] in result.output
    assert "97 rows" in result.output


@pytest.mark.slow
def test_console_script_ingests_end_to_end(tmp_path):
    """The installed entry point, in its own process, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_HOME"}
    exe = os.path.join(os.path.dirname(sys.executable), "paperhouse")
    home = tmp_path / "home"
    run = subprocess.run(
        [exe, "--home", str(home), "ingest", str(SAMPLES), "--captured-on", "2026-11-23"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "published new snapshot" in run.stdout
    query = subprocess.run(
        [exe, "--home", str(home), "sql", "SELECT sum(n_papers) AS n FROM publications_per_topic_year", "-f", "json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout) == [{"n": 97}]
    assert (home / "prefect").is_dir()  # Prefect state stays inside the data home


REFUSED_AT_THE_CLI = [
    "CREATE TABLE t AS SELECT 1",
    "INSERT INTO papers SELECT * FROM papers",
    "COPY papers TO '/tmp/paperhouse-stolen.csv'",
    "ATTACH '/tmp/paperhouse-other.duckdb' AS other",
    "INSTALL httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
]


def test_every_refused_statement_is_one_line_and_non_zero(sample_warehouse):
    home = str(sample_warehouse["layout"].home)
    for statement in REFUSED_AT_THE_CLI:
        result = invoke("--home", home, "sql", statement)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 1, statement
        assert len(lines) == 1 and lines[0].startswith("error: "), (statement, result.output)
    assert not os.path.exists("/tmp/paperhouse-stolen.csv")


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"paperhouse {version('paperhouse')}"


COMMANDS = ["ingest", "sql", "status", "export", "report", "prune", "server", "schedule", "deploy", "describe", "check"]


def test_help_lists_every_command_without_raw_markup():
    top = invoke("--help")
    assert top.exit_code == 0
    for command in COMMANDS:
        assert command in top.output
        page = invoke(command, "--help")
        assert page.exit_code == 0, command
        assert "``" not in page.output and "``" not in top.output, command


def test_shell_completion_completes_commands():
    """Typer's completion, through the installed entry point as a shell would call it."""
    exe = os.path.join(os.path.dirname(sys.executable), "paperhouse")
    env = {**os.environ, "_PAPERHOUSE_COMPLETE": "complete_bash", "COMP_WORDS": "paperhouse sc", "COMP_CWORD": "1"}
    run = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["schedule"]


def one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("content", [{}, {".hidden.txt": "x", "_draft.txt": "x", "~backup": "x"}])
def test_directory_without_listing_files_is_one_line_error(tmp_path, content):
    empty = tmp_path / "empty"
    empty.mkdir()
    for name, text in content.items():
        (empty / name).write_text(text)
    result = invoke("--home", str(tmp_path / "home"), "ingest", str(empty))
    assert result.exit_code == 1
    assert one_line_error(result).startswith(f"error: no listing files in {empty}")
    assert not (tmp_path / "home" / "prefect").exists()  # refused before Prefect was set up


def test_directory_without_listing_files_is_refused_also_on_a_home_with_a_warehouse(sample_warehouse, tmp_path):
    """The flow would carry the home's known sources forward and say "inputs unchanged"."""
    layout = sample_warehouse["layout"]
    before = layout.current_run_id()
    (tmp_path / "empty").mkdir()
    result = invoke("--home", str(layout.home), "ingest", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert one_line_error(result).startswith("error: no listing files in")
    assert layout.current_run_id() == before


def test_busy_home_is_refused_before_prefect_starts(tmp_path):
    """Another process holds the writer lock: a second ingest is refused without
    setting up Prefect or starting a server (the time it takes is reported, not asserted)."""
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib; from warehouse.lock import writer_lock\n"
         "with writer_lock(pathlib.Path(sys.argv[1])):\n"
         "    print('held', flush=True); sys.stdin.read()",
         str(home / "warehouse" / ".lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "PAPERHOUSE_"))}
        run = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), "paperhouse"), "--home", str(home), "ingest", str(SAMPLES)],
            capture_output=True, text=True, env=env, timeout=120,
        )
    finally:
        holder.communicate("", timeout=30)
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: another ingest is running on {home / 'warehouse'}"), run.stderr
    assert f"pid {holder.pid}" in lines[0]
    assert not (home / "prefect").exists()  # Prefect was never configured, no server started


# --- make: which Python builds .venv --------------------------------------------------------------
# Each test copies the Makefile beside a pyproject.toml into a temporary folder, so the repository's
# .venv is never touched, and nothing is installed: a refusal stops before .venv exists, and where
# python3.11 is available `make -n` shows what would run.

MAKE = shutil.which("make")


def _python_version(exe: str) -> str:
    try:
        return subprocess.run([exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return ""


#: A real 3.12 interpreter (pyenv's on this machine), standing in for "python3 is 3.12".
PYTHON_312 = next((exe for exe in ("/root/.pyenv/versions/3.12.1/bin/python3.12", shutil.which("python3.12"))
                   if exe and _python_version(exe) == "3.12"), None)
needs_make = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def make_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(REPO / "Makefile", project)
    shutil.copy(REPO / "pyproject.toml", project)
    return project


def run_make(project, *args, path: str):
    return subprocess.run([MAKE, *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env={"PATH": path, "HOME": str(project)})


def path_without_python311(tmp_path) -> str:
    """A PATH whose only python3 is 3.12 (like a pyenv shim set to 3.12) and no python3.11."""
    bin_dir = tmp_path / "bin"
    if bin_dir.is_dir():
        return str(bin_dir)
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(PYTHON_312)
    (bin_dir / "python3.12").symlink_to(PYTHON_312)
    return str(bin_dir)


@needs_make
@pytest.mark.skipif(PYTHON_312 is None, reason="needs a Python 3.12 interpreter")
def test_make_without_python311_stops_in_one_line_before_creating_the_venv(tmp_path):
    project = make_project(tmp_path)
    run = run_make(project, "venv", path=path_without_python311(tmp_path))
    assert run.returncode != 0
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "python3.11 not found on PATH" in lines[0], run.stderr
    assert not (project / ".venv").exists()
    # naming the 3.12 interpreter explicitly is refused the same way
    explicit = run_make(project, "venv", "PYTHON=python3", path=path_without_python311(tmp_path))
    lines = [line for line in explicit.stderr.splitlines() if line.strip()]
    assert explicit.returncode != 0 and len(lines) == 1 and "is Python 3.12, not 3.11" in lines[0], explicit.stderr
    assert not (project / ".venv").exists()


@needs_make
@pytest.mark.skipif(PYTHON_312 is None, reason="needs a Python 3.12 interpreter")
def test_make_recreates_a_venv_of_another_python_with_python311(tmp_path):
    python311 = os.path.realpath(sys._base_executable)  # the interpreter behind this venv: a real 3.11
    if not python311.endswith("python3.11"):
        pytest.skip("needs an interpreter named python3.11")
    project = make_project(tmp_path)
    subprocess.run([PYTHON_312, "-m", "venv", "--without-pip", str(project / ".venv")], check=True, timeout=120)
    (project / ".venv" / ".installed-stamp").touch()  # newer than pyproject.toml: only the version is wrong
    path = f"{tmp_path / 'bin'}:{os.path.dirname(python311)}"
    path_without_python311(tmp_path)  # python3 -> 3.12 comes first on PATH
    plan = run_make(project, "-n", "venv", path=path)
    assert plan.returncode == 0, plan.stderr
    commands = plan.stdout.splitlines()
    assert "rm -rf .venv" in commands
    assert f"{python311} -m venv .venv" in commands
    # a .venv that is 3.11 and up to date is reused as it is
    shutil.rmtree(project / ".venv")
    (project / ".venv" / "bin").mkdir(parents=True)
    (project / ".venv" / "bin" / "python").symlink_to(python311)
    (project / ".venv" / ".installed-stamp").touch()
    again = run_make(project, "-n", "venv", path=path)
    assert again.returncode == 0, again.stderr
    assert "Nothing to be done" in again.stdout and "venv .venv" not in again.stdout
