"""URL sources against a real local HTTP server: retries, timeouts, URL lists."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import polars as pl
import pytest

from tests.conftest import flow_ingest, CAPTURED_ON, SAMPLES

SAMPLE = SAMPLES / "000_bac2de915468d2e7.txt"


class Handler(BaseHTTPRequestHandler):
    hits: Counter = Counter()

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.hits[self.path] += 1
        if self.path == "/flaky.txt" and Handler.hits[self.path] <= 2:
            self.send_error(503, "try again")
            return
        if self.path == "/hang.txt":
            time.sleep(30)  # never answers within the client's timeout
            return
        if self.path == "/list.urls":
            body = f"http://127.0.0.1:{self.server.server_port}/profile.txt\n".encode()
        elif self.path in ("/profile.txt", "/flaky.txt"):
            body = SAMPLE.read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server():
    Handler.hits = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def ingest(home, urls, **kwargs):

    return flow_ingest(str(home), urls, captured_on=CAPTURED_ON, **kwargs)


def test_flaky_server_succeeds_on_the_third_try(prefect_harness, server, tmp_path):
    summary = ingest(tmp_path / "home", [f"{server}/flaky.txt"])
    assert Handler.hits["/flaky.txt"] == 3
    assert summary["n_entries"] == 12
    entries = pl.read_parquet(tmp_path / "home" / "warehouse" / "current" / "listing_entries.parquet")
    assert entries["source_file"].unique().to_list() == [f"{server}/flaky.txt"]


def test_server_that_never_answers_fails_the_run_within_its_timeouts(prefect_harness, server, tmp_path):
    started = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        ingest(tmp_path / "home", [f"{server}/hang.txt"], http_timeout=1.0)
    elapsed = time.monotonic() - started
    assert Handler.hits["/hang.txt"] == 3  # one try and two retries
    assert elapsed < 25  # 3 x 1 s timeouts + 1 s + 2 s retry delays, plus Prefect overhead
    assert not (tmp_path / "home" / "warehouse" / "current").exists()


def test_url_list_expands_and_urls_are_kept_between_runs(prefect_harness, server, tmp_path):
    home = tmp_path / "home"
    first = ingest(home, [f"{server}/list.urls"])
    assert first["sources"]["new"] == 1 and first["n_entries"] == 12
    # a later run that names only a local file keeps the URL source from its download
    second = ingest(home, [str(SAMPLES / "004_830fdc765f54d59c.txt")])
    assert second["sources"] == {"new": 1, "changed": 0, "unchanged": 1, "removed": 0}
    assert Handler.hits["/profile.txt"] == 1  # not fetched again
    refreshed = ingest(home, [], full_refresh=True)
    assert refreshed["n_records_parsed"] == 12 + 21  # re-parsed from the stored download
    assert Handler.hits["/profile.txt"] == 1
