"""Find listing sources and decode their bytes.

**Finding files.**  A directory is read recursively, in name order.  Names
starting with ``.``, ``_`` or ``~`` are skipped (editor backups, hidden and
private files: documented behaviour, not an error).  Symbolic links are
followed, to files and to directories alike, because a crawl often links the
pages of one profile into several collections; every directory is walked at
most once (keyed by device and inode), so a link back to an enclosing
directory cannot loop and a directory reachable twice is not read twice.
Whatever cannot be read -- a broken link, a link loop, a named pipe, a
permission denied -- is *named* in :attr:`Expansion.skipped` with its reason,
so the run summary can say so instead of silently losing those files.

**Decoding bytes.**  Bytes are decoded once per source.  Real pages are UTF-8,
but saved pages also come as Windows-1252/Latin-1 or with a few stray bytes: a
line that is not valid UTF-8 is decoded as Windows-1252 (Latin-1 for the five
bytes it leaves undefined), so ``Rez\\xe9nde`` still reads ``Rezénde`` and its
record still parses; the line numbers are reported so those records can be
flagged.  UTF-16 with a byte-order mark (LE or BE) is decoded as such.  A
UTF-16 file *without* a BOM is recognised by its NUL bytes (see
:func:`sniff_utf16`): listings are mostly Latin script, so one byte of nearly
every code unit is zero.  A line ends at LF, CRLF or a lone CR (old Mac files),
as in Python's universal newlines and the editors that show such files line by
line, so reported line numbers are the ones a user sees.  (The piecewise reader
in ``flows.parsing`` applies the same rule.)  Input files are opened read-only and never moved, rewritten or
deleted.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

#: Files in a directory that are never listings.
IGNORED_PREFIXES = (".", "_", "~")

#: Byte-order marks of the wide encodings.  UTF-32 is left out on purpose: no saved
#: page uses it, and its little-endian mark is the UTF-16 one followed by a NUL.  The
#: UTF-8 BOM is not here either: UTF-8 text keeps it and the record splitter strips
#: it (``transforms.records.BOM``).
WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
#: Text that is not all UTF-8 is decoded in windows of about this size (see _decode_mixed).
WINDOW_BYTES = 16 * 1024
#: How many leading bytes the UTF-16-without-BOM and text/binary sniffs look at.
SNIFF_BYTES = 4096
#: UTF-16 without BOM: at least this share of the code units' high bytes is NUL...
UTF16_MIN_NUL_SHARE = 0.6
#: ...and at most this share of their low bytes (ASCII text in UTF-16 has none).
UTF16_MAX_OTHER_NUL_SHARE = 0.05
#: ...over at least this many code units (a few stray NULs prove nothing).
UTF16_MIN_UNITS = 8
#: A body of unknown type is text when at most this share of its bytes are
#: control characters other than tab, LF, VT, FF and CR (and it has no NUL).
MAX_CONTROL_SHARE = 0.01
#: Leading bytes of binary formats that could otherwise pass a control-byte count.
BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")
#: Replacement character the wide decoders put where a code unit is broken.
REPLACEMENT = "\ufffd"
_AnyStr = TypeVar("_AnyStr", str, bytes)
_LONE_CR = re.compile("\r(?!\n)")
_LONE_CR_BYTES = re.compile(b"\r(?!\n)")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"


class SourceError(ValueError):
    """A source argument that names nothing readable."""


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


# --------------------------------------------------------------------------- finding files


@dataclass
class Expansion:
    """What a list of path arguments expands to.

    ``files`` are readable regular files, each once (by device and inode: a file
    reached through a link and by its own name, or hard-linked twice, is one
    source, named by the first path found).  ``skipped`` are entries inside the
    named directories that could not be read, as (path, reason): the run summary
    must show them.  Hidden names are neither.
    """

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> list[str]:
        """One line per skipped entry, for summaries and logs."""
        return [f"{path}: {reason}" for path, reason in self.skipped]


def expand_sources(arguments: list[str]) -> Expansion:
    """Files named, and the readable files inside directories named (sorted, recursive).

    An argument that is itself unusable (missing, a broken link, unreadable, not
    a file or directory) raises :class:`SourceError`: the user named it, so the
    run must not go ahead without it.  Trouble *inside* a directory is recorded
    in ``skipped`` instead, so one bad entry does not stop the rest.
    """
    walk = _Walk()
    for argument in arguments:
        try:
            path = Path(argument).expanduser().resolve()
        except RuntimeError:  # Python 3.11 raises this for a symlink loop
            raise SourceError(f"symbolic link loop: {argument}") from None
        try:
            st = path.stat()
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                raise SourceError(f"no such file or directory: {argument}") from None
            raise SourceError(f"cannot read {argument}: {_reason(exc, path)}") from None
        if stat.S_ISDIR(st.st_mode):
            walk.directory(path, st)
        elif stat.S_ISREG(st.st_mode):
            if not _readable(path):
                raise SourceError(f"cannot read {argument}: permission denied")
            walk.add_file(path, st)
        else:
            raise SourceError(f"not a regular file or directory: {argument} ({_kind(st.st_mode)})")
    return walk.found


def expand_paths(arguments: list[str]) -> list[Path]:
    """The files of :func:`expand_sources` (callers that do not report skipped entries)."""
    return expand_sources(arguments).files


class _Walk:
    """Depth-first walk state shared by all arguments of one expansion."""

    def __init__(self) -> None:
        self.found = Expansion()
        self._files: set[tuple[int, int]] = set()
        self._dirs: dict[tuple[int, int], Path] = {}

    def add_file(self, path: Path, st: os.stat_result, into: list[Path] | None = None) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in self._files:
            self._files.add(key)
            (self.found.files if into is None else into).append(path)

    def skip(self, path: Path, reason: str) -> None:
        self.found.skipped.append((str(path), reason))

    def directory(self, root: Path, st: os.stat_result) -> None:
        """Walk ``root``: first every directory reachable without following a link,
        then the linked ones, so a directory or file reachable both ways is named by
        its own path.  An explicit stack: no recursion limit on deep trees."""
        key = (st.st_dev, st.st_ino)
        if key in self._dirs:  # named twice, or inside a directory already walked
            return
        self._dirs[key] = root
        files: list[Path] = []
        linked_files: list[tuple[Path, os.stat_result]] = []
        linked_dirs: list[tuple[Path, tuple[int, int]]] = []
        stack = [root]
        while stack or linked_dirs:
            if not stack:
                path, dkey = linked_dirs.pop(0)
                if self._claim(path, dkey):
                    stack.append(path)
                continue
            subdirectories: list[Path] = []
            for entry in self._entries(stack.pop()):
                path = Path(entry.path)
                try:
                    est = entry.stat()  # follows symbolic links
                    is_link = entry.is_symlink()
                except OSError as exc:
                    self.skip(path, _reason(exc, path))
                    continue
                if stat.S_ISDIR(est.st_mode):
                    dkey = (est.st_dev, est.st_ino)
                    if is_link:
                        linked_dirs.append((path, dkey))
                    elif self._claim(path, dkey):
                        subdirectories.append(path)
                elif stat.S_ISREG(est.st_mode):
                    if not _readable(path):
                        self.skip(path, "permission denied")
                    elif is_link:
                        linked_files.append((path, est))
                    else:
                        self.add_file(path, est, into=files)
                else:
                    self.skip(path, f"not a regular file ({_kind(est.st_mode)})")
            stack.extend(reversed(subdirectories))
        for path, est in linked_files:
            self.add_file(path, est, into=files)
        self.found.files.extend(sorted(files))  # the order sorted(rglob) gave

    def _claim(self, path: Path, key: tuple[int, int]) -> bool:
        """Whether ``path`` is a directory not walked yet (then it is now claimed).
        A directory already walked is not walked again; when it encloses ``path``
        (a link back up the tree) that is named, as a loop."""
        seen = self._dirs.get(key)
        if seen is None:
            self._dirs[key] = path
            return True
        if seen in path.parents:
            self.skip(path, f"symbolic link loop: leads back to {seen}, whose files are read once")
        # else: the same directory by another route (a second link to it): its files are read once
        return False

    def _entries(self, directory: Path) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(directory) as listing:
                entries = [e for e in listing if not e.name.startswith(IGNORED_PREFIXES)]
        except OSError as exc:
            self.skip(directory, _reason(exc, directory))
            return []
        return sorted(entries, key=lambda e: e.name)


def _readable(path: Path) -> bool:
    """Whether this process may open ``path`` for reading (effective ids, like open(2))."""
    if os.access in os.supports_effective_ids:
        return os.access(path, os.R_OK, effective_ids=True)
    return os.access(path, os.R_OK)


def _reason(exc: OSError, path: Path) -> str:
    """A short, stable reason for a failed stat or listing."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR) and path.is_symlink():
        return "broken symbolic link (its target does not exist)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "disappeared while being listed"
    return (exc.strerror or type(exc).__name__).lower()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


# --------------------------------------------------------------------------- decoding bytes


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def decode(data: bytes) -> tuple[str, list[int]]:
    """Text, and the 1-based numbers of lines that were not valid (UTF-8, or the
    wide encoding the file is in).

    The returned text ends lines with LF or CRLF only: lone CRs become LF, so
    splitting on LF numbers lines as an editor does.  The common case (valid
    UTF-8, no CR) is one C-speed decode plus a byte scan for CR; a file that fails
    it is decoded again in large windows, line by line only where a window fails
    (see :func:`_decode_mixed`).
    """
    wide = wide_encoding(data)
    if wide is not None:
        return _decode_wide(data, *wide)
    data = _lone_cr_to_lf(data)  # on bytes: 0x0D/0x0A are CR/LF in UTF-8 and every 8-bit code page
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return _decode_mixed(data, exc.start)


def _lone_cr_to_lf(text: _AnyStr) -> _AnyStr:
    """Make every CR that does not start a CRLF a line end the record splitter sees
    (CRLF is left alone: the splitter strips its CR).  An LF-only file costs one
    byte scan for CR, a CRLF file one C-speed search for a lone CR; only a file that
    has lone CRs is rewritten."""
    if isinstance(text, str):
        if "\r" not in text or _LONE_CR.search(text) is None:
            return text
        return text.replace("\r\n", "\n").replace("\r", "\n")
    if b"\r" not in text or _LONE_CR_BYTES.search(text) is None:
        return text
    return text.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def wide_encoding(data: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) when ``data`` (or its first bytes) is UTF-16, with a BOM or
    recognised by :func:`sniff_utf16`; else None: then it is UTF-8 or 8-bit."""
    for bom, codec in WIDE_BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    head = data[:SNIFF_BYTES]
    if b"\x00" not in head:
        return None
    codec = sniff_utf16(head)
    return (codec, 0) if codec else None


def sniff_utf16(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``head`` is BOM-less UTF-16 of mostly Latin text.

    In such text every code unit of an ASCII character has one NUL byte, always on
    the same side; binary junk has NULs scattered on both sides, and UTF-8 text has
    none.  A file that passes neither test is decoded as UTF-8/8-bit, and whatever
    NULs it holds end up in rejected lines.
    """
    units = len(head) // 2
    if units < UTF16_MIN_UNITS:
        return None
    even, odd = head[0 : 2 * units : 2], head[1 : 2 * units : 2]
    even_nul, odd_nul = even.count(0) / units, odd.count(0) / units
    if odd_nul >= UTF16_MIN_NUL_SHARE and even_nul <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-le"
    if even_nul >= UTF16_MIN_NUL_SHARE and odd_nul <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-be"
    return None


def _decode_wide(data: bytes, codec: str, bom: int) -> tuple[str, list[int]]:
    """UTF-16: broken code units become U+FFFD and their lines are reported."""
    body = memoryview(data)[bom:]
    try:
        return _lone_cr_to_lf(str(body, codec)), []
    except UnicodeDecodeError:
        text = _lone_cr_to_lf(str(body, codec, "replace"))
    invalid = [n for n, line in enumerate(text.split("\n"), start=1) if REPLACEMENT in line]
    return text, invalid


def _decode_mixed(data: bytes, first_error: int) -> tuple[str, list[int]]:
    """UTF-8 with some lines in another encoding (line ends already LF/CRLF).

    What precedes the first bad line is one decode; the rest goes in windows of
    about :data:`WINDOW_BYTES` cut at line ends, each one C-speed decode, and only
    a window that fails is decoded line by line, each failing line whole as
    Windows-1252/Latin-1.  (Retrying the whole rest after each bad line would copy
    it into every UnicodeDecodeError: quadratic in the number of bad lines.)
    """
    view = memoryview(data)
    pos = data.rfind(b"\n", 0, first_error) + 1  # the first bad line begins here
    out = [str(view[:pos], "utf-8")]
    line = data.count(b"\n", 0, pos) + 1  # the number of the line that ``pos`` is on
    invalid: list[int] = []
    size = len(data)
    while pos < size:
        end = data.find(b"\n", min(pos + WINDOW_BYTES, size) - 1)
        end = size if end < 0 else end + 1  # just past a line end (or the end of the data)
        try:
            out.append(str(view[pos:end], "utf-8"))
        except UnicodeDecodeError:
            out.append(_decode_lines(data[pos:end], line, invalid))
        line += data.count(b"\n", pos, end)
        pos = end
    return "".join(out), invalid


def _decode_lines(block: bytes, first_line: int, invalid: list[int]) -> str:
    """Decode ``block`` line by line; append the numbers of lines that are not UTF-8."""
    out: list[str] = []
    for i, raw in enumerate(block.split(b"\n")):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(_decode_line(raw))
            invalid.append(first_line + i)
    return "\n".join(out)


def looks_like_text(head: bytes) -> bool:
    """Whether the first bytes of a body of unknown type are listing text.

    Text is: a Unicode BOM, BOM-less UTF-16 (:func:`sniff_utf16`), or bytes with
    no NUL, no known binary signature and at most :data:`MAX_CONTROL_SHARE` control
    characters.  Bytes above 0x7F count as text (UTF-8 or Windows-1252 letters).
    """
    head = head[:SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf") or wide_encoding(head) is not None:
        return True
    if not head or b"\x00" in head or head.startswith(BINARY_MAGIC):
        return not head  # an empty body is (empty) text
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls <= MAX_CONTROL_SHARE * len(head)
