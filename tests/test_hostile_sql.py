"""Hostile analyst SQL at the command line (issue 11 "SQL", issue 16 "SQL polish").

Each test runs the real ``paperhouse sql`` (Typer's runner in this process,
or the installed console script where a signal or a pipe is involved)
against a real warehouse and checks what a user sees: one ``error:`` line and
the exit code, or output that is valid and bounded.  Nothing is mocked.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import paperhouse_exe
from warehouse.layout import Layout
from warehouse.query import STREAM_BATCH_ROWS, TIMER_THREAD
from warehouse.verify import verify_snapshot

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), catch_exceptions=False, env=env)


def lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def one_error(result, code: int = 1) -> str:
    """The single output line of a failed command (asserting there is exactly one)."""
    assert result.exit_code == code, result.output
    found = lines(result)
    assert len(found) == 1 and found[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return found[0]


@pytest.fixture(scope="module")
def home(sample_warehouse, tmp_path_factory) -> Layout:
    """A private copy of the sample home: the statements here try to damage it."""
    target = tmp_path_factory.mktemp("hostile-sql") / "home"
    shutil.copytree(sample_warehouse["layout"].home, target, symlinks=True)
    return Layout.at(target)


def sql(home: Layout, *args: str, env: dict[str, str] | None = None):
    return invoke("--home", str(home.home), "sql", *args, env=env)


def test_issue_11_explain_analyze_copy_over_a_table_is_refused_and_the_table_survives(home):
    snap = home.snapshot(home.current_run_id())
    for target in ("papers.parquet", "_snapshot.json"):
        result = sql(home, f"EXPLAIN ANALYZE COPY (SELECT 1 AS a) TO '{snap / target}' (FORMAT parquet)")
        assert "only read-only queries are allowed" in one_error(result)
    assert verify_snapshot(home, home.current_run_id(), deep=True) == []
    assert json.loads(sql(home, "SELECT count(*) AS n FROM papers_wide", "-f", "json").output) == [{"n": 97}]


def test_several_statements_are_refused_in_one_line(home):
    assert "one statement at a time (got 2" in one_error(sql(home, "select 1; select 2"))


def test_a_query_over_its_time_limit_is_interrupted_in_one_line(home):
    started = time.monotonic()
    result = sql(home, "SELECT count(*) FROM range(1000000) a, range(1000000) b", "--timeout", "1")
    elapsed = time.monotonic() - started
    assert one_error(result) == "error: query stopped after the 1 s time limit (--timeout)"
    print(f"timeout of 1 s fired after {elapsed:.2f} s including start-up")  # measured, not asserted


def test_the_time_limit_covers_streaming_the_result_too(home):
    """Rows come out slowly (an expensive expression per row): the limit stops it mid-stream."""
    slow = "SELECT range AS i FROM range(1000000000) WHERE md5(repeat(range::VARCHAR, 30)) <> ''"
    result = sql(home, slow, "-f", "csv", "--timeout", "1")
    assert result.exit_code == 1
    output = result.output.splitlines()
    assert output[0] == '"i"' and len(output) > 2  # rows were printed before the limit hit
    assert output[-1] == "error: query stopped after the 1 s time limit (--timeout)"


def test_ctrl_c_during_a_query_is_one_line_and_exit_130(home):
    """SIGINT to this process once the query's timer thread exists (so the query is running)."""
    earlier = {t.ident for t in threading.enumerate() if t.name == TIMER_THREAD}  # winding down elsewhere

    def interrupt_when_running() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(t.name == TIMER_THREAD and t.ident not in earlier for t in threading.enumerate()):
                time.sleep(0.3)
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.02)

    helper = threading.Thread(target=interrupt_when_running, daemon=True)
    helper.start()
    result = sql(home, "SELECT count(*) FROM range(1000000) a, range(1000000) b", "--timeout", "120")
    helper.join(timeout=5)
    assert one_error(result, code=130) == "error: interrupted"


def test_rich_never_reads_data_or_errors_as_markup(home):
    assert "Table with name [/t] does not exist" in one_error(sql(home, 'select * from "[/t]"'))
    table = sql(home, """SELECT '[/t] [bold]x[/bold]' AS "[red]col[/red]", chr(27) || '[31mred' AS esc""")
    assert table.exit_code == 0, table.output
    assert "[/t] [bold]x[/bold]" in table.output and "[red]col[/red]" in table.output
    assert "\x1b" not in table.output  # an escape sequence in the data is shown, not sent to the terminal
    assert "\\x1b[31mred" in table.output


def test_duckdb_errors_are_kept_whole_on_one_line(home):
    assert 'Did you mean "papers"?' in one_error(sql(home, "SELECT * FROM paper"))
    assert 'Candidate bindings: "paper_id"' in one_error(sql(home, "SELECT papr_id FROM papers"))
    assert one_error(sql(home, "SELEC 1")) == 'error: Parser Error: syntax error at or near "SELEC" LINE 1: >>>SELEC<<< 1'


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_sql_files_in_unicode_encodings_with_a_bom_are_read(home, tmp_path, encoding):
    query = tmp_path / "q.sql"
    text = "SELECT count(*) AS n FROM papers -- naïve café\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    query.write_bytes(data)
    result = sql(home, "--file", str(query), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"n": 97}]


def test_a_file_that_is_not_utf8_and_has_no_bom_is_one_line(home, tmp_path):
    query = tmp_path / "q.sql"
    query.write_bytes("SELECT 1".encode("utf-16-le"))
    assert "looks like UTF-16 without a byte-order mark" in one_error(sql(home, "--file", str(query)))
    query.write_bytes(b"SELECT '\xff'")
    assert "not UTF-8 text at byte 8" in one_error(sql(home, "--file", str(query)))


def test_table_output_caps_rows_with_a_note(home):
    result = sql(home, "SELECT range AS i FROM range(5000)")
    assert result.exit_code == 0
    data_rows = [line for line in result.output.splitlines() if line.startswith("│")]
    assert len(data_rows) == 1000
    assert "showing the first 1,000 rows; there are more" in result.output
    fewer = sql(home, "SELECT range AS i FROM range(5000)", "--max-rows", "7")
    assert len([line for line in fewer.output.splitlines() if line.startswith("│")]) == 7


def test_long_cells_are_cut_to_the_terminal_width(home):
    result = sql(home, "SELECT paper_id, repeat(abstract, 20) AS abstract FROM papers ORDER BY paper_id LIMIT 5",
                 env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    table_lines = [line for line in result.output.splitlines() if line[:1] in "┏┃┡│└"]
    assert len(table_lines) == 4 + 5  # top, header, rule, bottom + one line per row: nothing wraps
    assert max(len(line) for line in table_lines) <= 100
    assert all(line.rstrip("│ ").endswith("…") for line in table_lines if line.startswith("│"))


def test_columns_that_do_not_fit_are_named_not_squeezed_to_nothing(home):
    result = sql(home, "SELECT * FROM papers ORDER BY paper_id LIMIT 2", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    header = next(line for line in result.output.splitlines() if line.startswith("┃"))
    assert "paper_id" in header
    assert "more column(s) do not fit the terminal" in result.output and "n_entries" in result.output


BOOLEANS = "SELECT paper_id, has_code, published_date FROM papers ORDER BY paper_id"


def test_booleans_and_dates_print_the_same_in_csv_table_json_and_the_export(home, tmp_path):
    as_csv = sql(home, BOOLEANS, "--format", "CSV")  # --format is case-insensitive
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {r["has_code"] for r in rows} == {"true", "false"}

    out = tmp_path / "export"
    exported = invoke("--home", str(home.home), "export", str(out), "--format", "csv", "--tables", "papers")
    assert exported.exit_code == 0, exported.output
    with (out / "papers" / "part-0.csv").open(newline="") as handle:
        export_rows = sorted(csv.DictReader(handle), key=lambda r: r["paper_id"])
    keep = ("paper_id", "has_code", "published_date")
    assert [{k: r[k] for k in keep} for r in rows] == [{k: r[k] for k in keep} for r in export_rows]

    as_json = json.loads(sql(home, BOOLEANS, "-f", "Json").output)
    assert {r["has_code"] for r in as_json} == {True, False}
    assert [r["published_date"] for r in as_json] == [r["published_date"] for r in rows]

    table = sql(home, "SELECT true AS yes, false AS no, NULL::BOOLEAN AS unknown")
    row = next(line for line in table.output.splitlines() if line.startswith("│"))
    assert row.split("│")[1:4] == [" true ", " false ", " NULL    "]


def test_csv_and_json_stream_across_batches_and_stay_valid(home):
    n = STREAM_BATCH_ROWS + 5_000  # two Arrow batches at least: the join between them must stay valid
    query = f"SELECT range AS i, range % 2 = 0 AS even, 'x' AS s FROM range({n})"
    as_json = sql(home, query, "-f", "json")
    assert as_json.exit_code == 0
    records = json.loads(as_json.output)
    assert len(records) == n
    assert records[0] == {"i": 0, "even": True, "s": "x"} and records[-1] == {"i": n - 1, "even": False, "s": "x"}
    assert [r["i"] for r in records] == list(range(n))
    as_csv = sql(home, query, "-f", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.output)))
    assert rows[0] == ["i", "even", "s"] and len(rows) == n + 1 and rows[-1] == [str(n - 1), "false", "x"]


def test_empty_results_and_unusual_types_are_valid_json_and_csv(home):
    assert json.loads(sql(home, "SELECT * FROM papers WHERE false", "-f", "json").output) == []
    header = sql(home, "SELECT paper_id, title FROM papers WHERE false", "-f", "csv")
    assert header.output.splitlines() == ['"paper_id","title"']
    odd = ("SELECT [1, 2] AS l, {'k': 'v'} AS s, 1.25::DECIMAL(6, 2) AS d, sum(2) AS h, 'nan'::DOUBLE AS nan, "
           "'\\x00\\xff'::BLOB AS b, INTERVAL 3 DAY AS iv, 'A'::ENUM('A', 'B') AS e")
    (record,) = json.loads(sql(home, odd, "-f", "json").output)
    assert record == {"l": [1, 2], "s": {"k": "v"}, "d": 1.25, "h": 2, "nan": None, "b": "\\x00\\xFF",
                      "iv": "3 days", "e": "A"}
    (row,) = list(csv.DictReader(io.StringIO(sql(home, odd, "-f", "csv").output)))
    assert row["l"] == "[1, 2]" and row["s"] == '{"k": "v"}' and row["d"] == "1.25" and row["b"] == "\\x00\\xFF"
    duplicate = sql(home, "SELECT 1 AS a, 2 AS a", "-f", "json")
    assert "distinct column names (repeated: a)" in one_error(duplicate)


def test_a_closed_pipe_is_not_an_error(home):
    """`paperhouse sql ... | head -1`: the installed command stops quietly, exit 0, no traceback."""
    proc = subprocess.Popen(
        [paperhouse_exe(), "--home", str(home.home), "sql", "SELECT range FROM range(3000000)", "-f", "csv"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away
    _, err = proc.communicate(timeout=120)
    assert first == b'"range"\n'
    assert proc.returncode == 0, err
    assert err == b""
