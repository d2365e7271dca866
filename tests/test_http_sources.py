"""URL sources against a real local HTTP server: retries, timeouts, URL lists."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
    from flows.fetch import FetchError

    with pytest.raises(FetchError, match="hang.txt"):
        ingest(tmp_path / "home", [f"{server}/hang.txt"], http_timeout=1.0)
    assert Handler.hits["/hang.txt"] == 3  # one try and two retries: a timeout is worth retrying
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


# --------------------------------------------------------------------------- flows.fetch against hostile servers
# Issue 11 item 8: a trickling server held the ingest for 379 s with --http-timeout 3; a 200 MB
# body peaked at 4.2 GB and stayed in downloads/; text/html and image/png bodies were parsed.
# Each server below is real (http.server on 127.0.0.1, one thread per request).

import gzip  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from tests.conftest import REPO  # noqa: E402

LISTING = SAMPLE.read_bytes()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JS_WALL = b"<html><body>Please enable JavaScript to view this profile.</body></html>"
#: A body the hostile server streams on the fly (never held anywhere): 200 MB, as in the issue.
HUGE_BYTES = 200 * 1000 * 1000
TRICKLE_BYTES = 600  # one every TRICKLE_PAUSE: a minute if nothing stops it
TRICKLE_PAUSE = 0.1
STREAM_CHUNK = 64 * 1024


class Hostile(BaseHTTPRequestHandler):
    """Each path is one way a server can misbehave."""

    hits: Counter = Counter()
    completed: set = set()
    stop = threading.Event()

    def log_message(self, *args) -> None:
        pass

    def body(self, data: bytes, content_type: str | None = "text/plain; charset=utf-8",
             length: int | None = None, headers: dict | None = None) -> None:
        self.send_response(200)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path
        Hostile.hits[path] += 1
        try:
            self.route(path)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up: what a fetch with a deadline must do
        Hostile.completed.add(path)

    def route(self, path: str) -> None:
        if path == "/profile.txt":
            self.body(LISTING)
        elif path == "/untyped":
            self.body(LISTING, content_type=None)
        elif path == "/octet-text":
            self.body(LISTING, "application/octet-stream")
        elif path == "/octet-png":
            self.body(PNG, "application/octet-stream")
        elif path == "/png":
            self.body(PNG, "image/png")
        elif path == "/json":
            self.body(b'{"papers": []}', "application/json")
        elif path == "/html-wall":
            self.body(JS_WALL, "text/html; charset=utf-8")
        elif path == "/html-listing":  # a listing served with the wrong type
            self.body(LISTING, "text/html")
        elif path == "/utf16":
            self.body(LISTING.decode().encode("utf-16"), "text/plain; charset=utf-16")
        elif path == "/gzip":
            self.body(gzip.compress(LISTING), headers={"Content-Encoding": "gzip"})
        elif path == "/gzip-bomb":  # 8 MB of text in ~8 KB on the wire
            self.body(gzip.compress(b"x" * 8_000_000), headers={"Content-Encoding": "gzip"})
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/profile.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/redirect-loop":
            self.send_response(302)
            self.send_header("Location", "/redirect-loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/flaky" and Hostile.hits[path] == 1:
            self.send_error(503, "try again")
        elif path == "/flaky":
            self.body(LISTING)
        elif path.startswith("/status/"):
            self.send_error(int(path.rsplit("/", 1)[1]))
        elif path == "/trickle-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(TRICKLE_BYTES))
            self.end_headers()
            self.trickle(b"x" * TRICKLE_BYTES)
        elif path == "/trickle-headers":
            self.trickle(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-Padding: " + b"p" * TRICKLE_BYTES + b"\r\n\r\n")
        elif path == "/silent":  # accepts the connection, never answers
            Hostile.stop.wait(100)
        elif path in ("/huge", "/huge-declared") or path.startswith("/stream/"):
            size = int(path.rsplit("/", 1)[1]) if path.startswith("/stream/") else HUGE_BYTES
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            if path == "/huge-declared":
                self.send_header("Content-Length", str(size))
            self.end_headers()
            line = b"y" * (STREAM_CHUNK - 1) + b"\n"
            for _ in range(size // STREAM_CHUNK):  # generated on the fly: never held, never on disk
                if Hostile.stop.is_set():
                    return
                self.wfile.write(line)
        elif path == "/disconnect":  # promises 2x the bytes it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(2 * len(LISTING)))
            self.end_headers()
            self.wfile.write(LISTING)
            self.wfile.flush()
            self.close_connection = True
            raise ConnectionResetError  # not complete: never marked so
        else:
            self.send_error(404)

    def trickle(self, data: bytes) -> None:
        for i in range(len(data)):
            if Hostile.stop.wait(TRICKLE_PAUSE):
                return
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()


@pytest.fixture()
def hostile():
    Hostile.hits, Hostile.completed, Hostile.stop = Counter(), set(), threading.Event()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    Hostile.stop.set()  # ends trickles, silences and huge bodies still running
    httpd.shutdown()
    httpd.server_close()


def left_in(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def fetch_error(url: str, downloads, **options):
    """The FetchError a fetch raises (the test fails if it returns)."""
    from flows.fetch import FetchError, fetch

    options.setdefault("timeout", 10.0)
    with pytest.raises(FetchError) as caught:
        fetch(url, downloads_dir=downloads, **options)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"fetching {url} failed: ")
    assert left_in(downloads) == []  # nothing partial, nothing stored
    return caught.value


def test_fetch_stores_the_body_content_addressed(hostile, tmp_path):
    from flows.fetch import fetch

    downloads = tmp_path / "downloads"
    got = fetch(f"{hostile}/profile.txt", timeout=10, downloads_dir=downloads)
    digest = hashlib.sha256(LISTING).hexdigest()
    assert (got.path, got.sha256, got.n_bytes, got.content_type) == (
        downloads / f"{digest}.txt", digest, len(LISTING), "text/plain")
    assert got.path.read_bytes() == LISTING
    again = fetch(f"{hostile}/redirect", timeout=10, downloads_dir=downloads)  # same bytes by a redirect
    assert again.path == got.path and left_in(downloads) == [f"{digest}.txt"]


def test_a_trickling_body_is_cut_at_the_whole_request_timeout(hostile, tmp_path):
    """Every byte comes well within a per-read timeout; only a whole-request deadline stops it."""
    error = fetch_error(f"{hostile}/trickle-body", tmp_path / "downloads", timeout=0.5)
    assert error.retryable and error.reason == "no complete response within 0.5 s"
    assert "/trickle-body" not in Hostile.completed


def test_trickling_headers_are_cut_too(hostile, tmp_path):
    error = fetch_error(f"{hostile}/trickle-headers", tmp_path / "downloads", timeout=0.5)
    assert error.retryable and error.reason == "no complete response within 0.5 s"
    assert "/trickle-headers" not in Hostile.completed


def test_a_silent_server_times_out(hostile, tmp_path):
    error = fetch_error(f"{hostile}/silent", tmp_path / "downloads", timeout=0.3)
    assert error.retryable


def test_a_body_over_the_limit_stops_with_one_line(hostile, tmp_path):
    from flows.fetch import DEFAULT_MAX_DOWNLOAD_BYTES

    limit = 1024 * 1024
    streamed = fetch_error(f"{hostile}/huge", tmp_path / "downloads", max_bytes=limit)
    assert not streamed.retryable
    assert streamed.reason == (
        f"larger than the {limit:,}-byte limit (more than {limit:,} bytes received; "
        "raise --max-download-bytes to allow it)")
    assert "/huge" not in Hostile.completed  # the client hung up; the 200 MB were never sent
    declared = fetch_error(f"{hostile}/huge-declared", tmp_path / "downloads")  # refused from its header
    assert declared.reason.startswith(f"larger than the {DEFAULT_MAX_DOWNLOAD_BYTES:,}-byte limit "
                                      f"(Content-Length is {HUGE_BYTES:,} bytes")
    bomb = fetch_error(f"{hostile}/gzip-bomb", tmp_path / "downloads", max_bytes=limit)  # counted decoded
    assert bomb.reason.startswith(f"larger than the {limit:,}-byte limit")


@pytest.mark.parametrize(("path", "reason"), [
    ("/png", "content type image/png is not text (a listing is text)"),
    ("/json", "content type application/json is not text (a listing is text)"),
    ("/octet-png", "body is not text (application/octet-stream, and its first bytes are binary)"),
    ("/html-wall", "text/html page (markup), not listing text"),
])
def test_bodies_that_are_not_listing_text_are_refused(hostile, tmp_path, path, reason):
    error = fetch_error(f"{hostile}{path}", tmp_path / "downloads")
    assert error.reason == reason and not error.retryable


@pytest.mark.parametrize("path", ["/untyped", "/octet-text", "/html-listing", "/gzip"])
def test_text_without_a_text_type_is_sniffed_and_accepted(hostile, tmp_path, path):
    from flows.fetch import fetch

    got = fetch(f"{hostile}{path}", timeout=10, downloads_dir=tmp_path / "downloads")
    assert got.path.read_bytes() == LISTING and got.sha256 == hashlib.sha256(LISTING).hexdigest()


def test_a_utf16_page_is_stored_as_sent_and_decodes_like_utf8(hostile, tmp_path):
    from flows.extract import decode
    from flows.fetch import fetch

    got = fetch(f"{hostile}/utf16", timeout=10, downloads_dir=tmp_path / "downloads")
    assert decode(got.path.read_bytes()) == decode(LISTING)


def test_a_server_that_hangs_up_mid_body_leaves_nothing(hostile, tmp_path):
    error = fetch_error(f"{hostile}/disconnect", tmp_path / "downloads")
    assert error.retryable and error.reason.startswith("connection broken: ")


@pytest.mark.parametrize(("status", "retryable"), [(503, True), (500, True), (429, True), (404, False), (403, False)])
def test_status_codes_split_into_retryable_and_final(hostile, tmp_path, status, retryable):
    from flows.fetch import is_retryable

    error = fetch_error(f"{hostile}/status/{status}", tmp_path / "downloads")
    assert error.reason.startswith(f"HTTP {status} ") and is_retryable(error) is retryable


def test_503_then_200_succeeds_on_the_retry(hostile, tmp_path):
    from flows.fetch import fetch, is_retryable

    first = fetch_error(f"{hostile}/flaky", tmp_path / "downloads")
    assert is_retryable(first)
    got = fetch(f"{hostile}/flaky", timeout=10, downloads_dir=tmp_path / "downloads")
    assert got.path.read_bytes() == LISTING and Hostile.hits["/flaky"] == 2


def test_final_errors_and_foreign_exceptions_are_not_retried(hostile, tmp_path):
    from flows.fetch import is_retryable

    loop = fetch_error(f"{hostile}/redirect-loop", tmp_path / "downloads")
    assert loop.reason == "more than 10 redirects" and not is_retryable(loop)
    refused = fetch_error("http://127.0.0.1:9/never", tmp_path / "downloads")  # nothing listens on port 9
    assert is_retryable(refused)
    assert not is_retryable(ValueError("x")) and not is_retryable(None)
    bad = fetch_error("ftp://127.0.0.1/x", tmp_path / "downloads")
    assert not is_retryable(bad)


def test_leftovers_of_a_killed_fetch_are_removed(tmp_path):
    from flows.fetch import PARTIAL_PREFIX, remove_partial_downloads

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / f"{PARTIAL_PREFIX}0123abcd").write_bytes(b"half a page")
    (downloads / "kept.txt").write_bytes(LISTING)
    assert remove_partial_downloads(downloads) == [downloads / f"{PARTIAL_PREFIX}0123abcd"]
    assert left_in(downloads) == ["kept.txt"]
    assert remove_partial_downloads(tmp_path / "absent") == []


@pytest.fixture()
def full_disk(tmp_path):
    """A 1 MiB tmpfs (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_line_and_leaves_no_temporary_file(hostile, full_disk):
    """Issue 11 item 12: ENOSPC while a download is written (the body is 2 MB, the disk 1 MiB)."""
    downloads = full_disk / "downloads"
    error = fetch_error(f"{hostile}/huge", downloads, max_bytes=2 * 1000 * 1000)
    assert error.reason == f"no space left on device while writing {downloads}"
    assert not error.retryable
    assert left_in(downloads) == []  # (also checked by fetch_error)


@pytest.mark.slow
def test_memory_stays_bounded_while_a_large_body_streams(hostile, tmp_path):
    """A 64 MiB body grows the fetching process by less than a quarter of its size:
    it is streamed and hashed, never held (a 200 MB body peaked at 4.2 GB before).
    Measured in a fresh process, whose peak RSS is its own."""
    size = 64 * 1024 * 1024
    script = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from pathlib import Path\n"
        "from flows.fetch import fetch\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"got = fetch({hostile + '/stream/' + str(size)!r}, timeout=120, max_bytes={size},\n"
        f"            downloads_dir=Path({str(tmp_path / 'downloads')!r}))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "got.path.unlink()\n"
        "print(json.dumps({'n_bytes': got.n_bytes, 'grew_kib': after - before}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    print(f"fetching {size:,} bytes grew peak RSS by {measured['grew_kib']:,} KiB")
    assert measured["n_bytes"] == size
    assert measured["grew_kib"] * 1024 < size // 4


def test_prefect_retries_only_what_is_retryable(prefect_harness, hostile, tmp_path):
    """The hook the ingest's task uses: ``retry_condition_fn=retry_condition``.  A 503
    is retried until the 200; a 404 and an image fail at the first try."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.fetch import FetchError, fetch, retry_condition

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=retry_condition, cache_policy=NO_CACHE)
    def fetch_task(url: str) -> str:
        return fetch(url, timeout=10, downloads_dir=tmp_path / "downloads").sha256

    @flow
    def fetch_flow(url: str) -> str:
        return fetch_task(url)

    assert fetch_flow(f"{hostile}/flaky") == hashlib.sha256(LISTING).hexdigest()
    assert Hostile.hits["/flaky"] == 2
    for path in ("/status/404", "/png"):
        with pytest.raises(FetchError):
            fetch_flow(f"{hostile}{path}")
        assert Hostile.hits[path] == 1  # no retry
    with pytest.raises(FetchError):
        fetch_flow(f"{hostile}/status/503")
    assert Hostile.hits["/status/503"] == 3  # one try and two retries
