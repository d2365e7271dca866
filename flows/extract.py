"""Find listing sources and decode their bytes.

Bytes are decoded once per source.  Real pages are UTF-8, but saved pages
also come as Windows-1252/Latin-1 or with a few stray bytes: a line that is
not valid UTF-8 is decoded as Windows-1252 (Latin-1 for the five bytes it
leaves undefined), so ``Rez\\xe9nde`` still reads ``Rezénde`` and its record
still parses; the line numbers are reported so those records can be flagged.
Input files are opened read-only and never moved, rewritten or deleted.
"""

from __future__ import annotations

from pathlib import Path

#: Files in a directory that are never listings.
IGNORED_PREFIXES = (".", "_", "~")


class SourceError(ValueError):
    """A source argument that names nothing readable."""


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


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode(data: bytes) -> tuple[str, list[int]]:
    """Text, and the 1-based numbers of lines that were not valid UTF-8.

    The common case (valid UTF-8) is one C-speed decode; only a file that
    fails it is decoded line by line.
    """
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    out: list[str] = []
    invalid: list[int] = []
    for number, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(_decode_line(raw))
            invalid.append(number)
    return "\n".join(out), invalid
