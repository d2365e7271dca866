"""Find and read listing sources: local files, directories (and URLs, see fetch).

Reading is the only I/O before publishing.  Bytes are decoded here, once per
file: UTF-8 (a BOM is dropped later), and undecodable bytes become U+FFFD so
the record that holds them is flagged rather than the whole file lost.
Input files are opened read-only and never moved, rewritten or deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

#: Files in a directory that are never listings.
IGNORED_PREFIXES = (".", "_", "~")


class SourceError(ValueError):
    """A source argument that names nothing readable."""


@dataclass(frozen=True)
class Source:
    """One listing text, decoded, with what lineage needs to know about it."""

    source_file: str
    text: str
    captured_on: date
    sha256: str
    n_bytes: int
    had_decode_errors: bool


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def expand_paths(arguments: list[str]) -> list[Path]:
    """Files named, and the regular files inside directories named (sorted, recursive)."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument).expanduser().resolve()
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(IGNORED_PREFIXES) for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(f"no such file or directory: {argument}")
    return list(dict.fromkeys(found))


def decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text and whether any bytes had to be replaced."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def source_from_bytes(name: str, data: bytes, captured_on: date) -> Source:
    text, bad = decode(data)
    return Source(
        source_file=name,
        text=text,
        captured_on=captured_on,
        sha256=hashlib.sha256(data).hexdigest(),
        n_bytes=len(data),
        had_decode_errors=bad,
    )


def read_file(path: Path, captured_on: date | None = None) -> Source:
    """Read a listing file; its capture date defaults to its modification day (UTC)."""
    data = path.read_bytes()
    when = captured_on or datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date()
    return source_from_bytes(str(path), data, when)


def sources_frame(sources: list[Source]) -> pl.LazyFrame:
    """The parser's input: ``source_file, text, captured_on``."""
    return pl.LazyFrame(
        {
            "source_file": [s.source_file for s in sources],
            "text": [s.text for s in sources],
            "captured_on": [s.captured_on for s in sources],
        },
        schema={"source_file": pl.String, "text": pl.String, "captured_on": pl.Date},
    )
