"""Fetch one URL source into ``downloads/``: bounded in time, size and memory.

A profile page is fetched by a pure function so that the Prefect task around it
(``flows.ingest``) only decides *whether to retry*; :func:`is_retryable` tells it.

Why each bound:

* **Time.**  httpx's timeouts apply to each network operation, so a server that
  trickles one byte a second never trips them and held an ingest (and the
  warehouse's writer lock) for minutes.  Here ``timeout`` bounds the *whole*
  request -- connecting, the headers, every redirect and the body -- because the
  request runs under one ``asyncio.timeout`` that cancels it wherever it waits.
* **Size.**  The body is streamed to a temporary file and hashed as it arrives,
  so memory stays at one network chunk whatever the size; past ``max_bytes``
  (counted after content decoding, so a gzip bomb stops too) the download stops
  with one error.  A ``Content-Length`` over the limit is refused before the body.
* **Content.**  Only text is a listing:

  - ``text/*`` is accepted, except that ``text/html`` and ``text/xml`` bodies
    that start with markup (``<``, after blanks and a BOM) are refused: they are
    web pages (a login wall, "please enable JavaScript"), not saved listing text,
    and parsing them would replace a profile's records with nothing.  An HTML-typed
    body that does not start with ``<`` (a listing served with the wrong type) is
    accepted.
  - No ``Content-Type``, or ``application/octet-stream`` (what static servers say
    about unknown extensions): accepted only if the first bytes look like text
    (:func:`flows.extract.looks_like_text`: a BOM, or no NUL, no binary signature,
    almost no control characters).
  - Every other type (``image/png``, ``application/pdf``, ``application/json``...)
    is refused.
* **Disk.**  The file is complete or absent: it is written as a hidden ``.part-*``
  file in ``downloads_dir``, fsynced and renamed to ``<sha256>.txt``
  (:func:`warehouse.sources.downloads_path`)
  (content-addressed, so the same page fetched twice is stored once).  Any
  failure -- timeout, size, disconnect, a full disk, Ctrl-C -- removes the
  partial file; :func:`remove_partial_downloads` clears what a killed process left.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx

from flows.extract import SNIFF_BYTES, looks_like_text
from flows.options import DEFAULT_MAX_DOWNLOAD_BYTES  # (``--max-download-bytes``; re-exported)
from warehouse.fileio import fsync_path
from warehouse.sources import downloads_path

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES", "Download", "FetchError", "fetch", "is_retryable",
    "remove_partial_downloads", "retry_condition",
]
#: Redirects followed before giving up (a loop is final, not retryable).
MAX_REDIRECTS = 10
#: Temporary files in downloads/ start with this (hidden: never taken for a download).
PARTIAL_PREFIX = ".part-"
#: Types whose body is refused when it starts with markup (a web page, not listing text).
MARKUP_TYPES = frozenset({"text/html", "text/xml"})
#: Types that say nothing about the body: it is sniffed.
UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
#: Statuses worth retrying besides 5xx: the server asks us to come back.
RETRYABLE_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "paperhouse (listing fetcher)"
_MARKUP_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<")
_T = TypeVar("_T")


class FetchError(Exception):
    """A URL that could not be fetched: one line, and whether a retry may help."""

    def __init__(self, url: str, reason: str, *, retryable: bool) -> None:
        self.url = url
        self.reason = " ".join(reason.split())  # one line, whatever the library said
        self.retryable = retryable
        super().__init__(f"fetching {url} failed: {self.reason}")


def is_retryable(exc: BaseException | None) -> bool:
    """Retry timeouts, 5xx/408/429 and connection errors; never 4xx, a body that
    is too large, the wrong content type or a full disk (trying again cannot help)."""
    return isinstance(exc, FetchError) and exc.retryable


def retry_condition(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's ``retry_condition_fn`` (``@task(retries=..., retry_condition_fn=retry_condition)``):
    retry a failed fetch only when :func:`is_retryable` says so.  Prefect hands it
    the Failed state, whose result is the exception the task raised."""
    return is_retryable(state.result(raise_on_failure=False))


@dataclass(frozen=True)
class Download:
    """A completed download: the stored file and what was received."""

    path: Path  # warehouse.sources.downloads_path(downloads_dir, sha256)
    sha256: str
    n_bytes: int
    content_type: str | None  # the media type the server declared, lower case, no parameters


def fetch(
    url: str, *, timeout: float, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES, downloads_dir: Path
) -> Download:
    """GET ``url`` into ``downloads_dir/<sha256>.txt`` within ``timeout`` seconds in all.

    Raises :class:`FetchError` (see :func:`is_retryable`).  Nothing partial is
    left in ``downloads_dir`` when it does.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if max_bytes < 0:
        raise ValueError("max_bytes must not be negative")
    return _run(lambda: _fetch(url, timeout, max_bytes, Path(downloads_dir)))


def remove_partial_downloads(downloads_dir: Path) -> list[Path]:
    """Delete the temporary files of fetches that never finished (a killed run).

    Call it while holding the writer lock, before fetching: only a running
    fetch owns a partial file, and under the lock no other fetch runs.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(downloads_dir))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if entry.name.startswith(PARTIAL_PREFIX) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def _run(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from synchronous code, in this thread if it
    has no event loop running (the usual case in a Prefect sync task), else in a
    fresh thread (asyncio.run cannot nest)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def _fetch(url: str, timeout: float, max_bytes: int, downloads_dir: Path) -> Download:
    try:
        async with asyncio.timeout(timeout):
            return await _get(url, timeout, max_bytes, downloads_dir)
    except TimeoutError:
        raise FetchError(url, f"no complete response within {timeout:g} s", retryable=True) from None
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out (limit {timeout:g} s for the whole request)", retryable=True) from None
    except httpx.TooManyRedirects:
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects", retryable=False) from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise FetchError(url, f"not a fetchable URL: {exc}", retryable=False) from None
    except httpx.DecodingError as exc:
        raise FetchError(url, f"body could not be decoded: {exc}", retryable=False) from None
    except httpx.RemoteProtocolError as exc:  # e.g. the peer closed before the whole body came
        raise FetchError(url, f"connection broken: {exc or type(exc).__name__}", retryable=True) from None
    except httpx.TransportError as exc:  # connect/read/write errors, proxies
        raise FetchError(url, f"{type(exc).__name__}: {exc or 'connection failed'}", retryable=True) from None


async def _get(url: str, timeout: float, max_bytes: int, downloads_dir: Path) -> Download:
    client = httpx.AsyncClient(
        timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS, headers={"User-Agent": USER_AGENT}
    )
    async with client, client.stream("GET", url) as response:
        _check_status(url, response)
        media_type = _media_type(response)
        if media_type not in UNTYPED and not media_type.startswith("text/"):
            raise FetchError(url, f"content type {media_type} is not text (a listing is text)", retryable=False)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(url, _too_large(max_bytes, f"Content-Length is {int(declared):,} bytes"), retryable=False)
        body = response.aiter_bytes()
        head = bytearray()
        async for chunk in body:  # the first bytes decide what the body is before anything is stored
            head += chunk
            if len(head) >= SNIFF_BYTES:
                break
        _check_content(url, media_type, bytes(head[:SNIFF_BYTES]))
        with _Partial(url, downloads_dir) as partial:
            partial.write(bytes(head), max_bytes)
            async for chunk in body:
                partial.write(chunk, max_bytes)
            return partial.commit(media_type or None)


def _check_status(url: str, response: httpx.Response) -> None:
    """Only a 2xx body is the page (a 3xx here is a redirect without a Location)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    raise FetchError(url, reason, retryable=status >= 500 or status in RETRYABLE_STATUSES)


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _check_content(url: str, media_type: str, head: bytes) -> None:
    if media_type in MARKUP_TYPES and _MARKUP_START.match(head):
        raise FetchError(url, f"{media_type} page (markup), not listing text", retryable=False)
    if media_type in UNTYPED and not looks_like_text(head):
        declared = media_type or "no content type"
        raise FetchError(url, f"body is not text ({declared}, and its first bytes are binary)", retryable=False)


def _too_large(max_bytes: int, detail: str) -> str:
    return f"larger than the {max_bytes:,}-byte limit ({detail}; raise --max-download-bytes to allow it)"


class _Partial:
    """The temporary file of one download: written, hashed and counted as chunks
    come, renamed into place on commit, removed on any failure (exceptions,
    cancellation and Ctrl-C included)."""

    def __init__(self, url: str, downloads_dir: Path) -> None:
        self.url = url
        self.dir = downloads_dir
        self.path = downloads_dir / f"{PARTIAL_PREFIX}{secrets.token_hex(8)}"
        self.digest = hashlib.sha256()
        self.n_bytes = 0
        self.handle: IO[bytes] | None = None

    def __enter__(self) -> "_Partial":
        with self._disk("creating"):
            self.dir.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "xb")
        return self

    def write(self, chunk: bytes, max_bytes: int) -> None:
        if not chunk:
            return
        self.n_bytes += len(chunk)
        if self.n_bytes > max_bytes:
            raise FetchError(self.url, _too_large(max_bytes, f"more than {max_bytes:,} bytes received"), retryable=False)
        self.digest.update(chunk)
        assert self.handle is not None
        with self._disk("writing"):
            self.handle.write(chunk)

    def commit(self, content_type: str | None) -> Download:
        assert self.handle is not None
        sha256 = self.digest.hexdigest()
        target = downloads_path(self.dir, sha256)
        with self._disk("writing"):
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.path, target)  # same bytes if it existed: content-addressed
            fsync_path(self.dir)
        return Download(path=target, sha256=sha256, n_bytes=self.n_bytes, content_type=content_type)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.handle is not None and not self.handle.closed:
            try:
                self.handle.close()
            except OSError:  # a full disk can fail the final flush too: the file goes anyway
                pass
        if exc_type is not None:
            self.path.unlink(missing_ok=True)

    def _disk(self, doing: str) -> "_DiskErrors":
        return _DiskErrors(self.url, doing, self.dir)


class _DiskErrors:
    """Turn an OSError of the local disk into a final, one-line FetchError."""

    def __init__(self, url: str, doing: str, where: Path) -> None:
        self.url, self.doing, self.where = url, doing, where

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if isinstance(exc, OSError):
            if exc.errno == errno.ENOSPC:
                reason = f"no space left on device while {self.doing} {self.where}"
            else:
                reason = f"{exc.strerror or type(exc).__name__} while {self.doing} {self.where}"
            raise FetchError(self.url, reason, retryable=False) from None
