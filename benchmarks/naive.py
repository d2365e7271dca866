#!/usr/bin/env python3
"""Naive baseline: the listing-to-Parquet job written plainly, without Polars.

    python benchmarks/naive.py PATH [PATH ...] --out DIR [--captured-on YYYY-MM-DD]

PATHs are listing files or directories (``*.txt`` found recursively).  Prints one JSON
line: the counts of :func:`run_naive`, the wall-clock seconds and the process's peak RSS
(``ru_maxrss``), so a benchmark can run it in a subprocess and read the numbers.

This is the comparison point for the Polars pipeline, so it is written the way a
competent engineer would write it in plain Python, not sabotaged: files are streamed
line by line, regexes are compiled once, the title/authors split scans only the
candidate positions (found by a C-level regex search) instead of every character,
dicts give O(1) dedupe and author lookup.  What makes it *naive* is the design:
everything is per-line / per-record Python, the whole result is held as Python
objects, authors are keyed by their exact written name (no resolution of variants,
no homonym handling), papers by (normalised title, exact date), and the tables are
built with ``pa.Table.from_pylist`` from lists of dicts.

It reads the same format (see ``samples/``), standard library + pyarrow only, and is
not imported by the package.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import resource
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}

HEADER_RE = re.compile(
    r"^(?P<code>[A-Za-z][A-Za-z.-]*?)(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.? ?(?P<day>\d{1,2})(?:, ?(?P<year>\d{4}))?(?P<badge> ?Code)?\s*$"
)

# Python's re has no \p{Lu}: build the letter classes once from the Latin (incl. Latin
# Extended Additional: Vietnamese), Greek and Cyrillic blocks, enough for names on these
# pages, plus combining marks as lowercase (decomposed accents).
_RANGES = [*range(0x41, 0x530), *range(0x1E00, 0x2000)]
_U = "".join(chr(c) for c in _RANGES if chr(c).isupper() or chr(c).istitle())
_L = "".join(chr(c) for c in _RANGES if chr(c).islower())
U = "[" + re.escape(_U) + "]"
L = "[" + re.escape(_L) + "\u0300-\u036f]"

# One name token: O'Donoghue, McAleese/LeCun, Jean-Bastien/Imagen-Team-Google/Hung-yi,
# Y-Lan, an initial (J., J.-P., Th.), a bare initial (Samuel L Smith) or CAPS (Wei LIU, GLM Team).
_TOKEN = (
    rf"(?:{U}{L}*['’]{U}{L}+"
    rf"|(?:Mc|Mac|Le|La|De|Di|Da|Du|Van|Von|Fitz|St|Al|El){U}{L}+"
    rf"|{U}{L}+(?:-{U}?{L}+)*"
    rf"|{U}-{U}{L}+"
    rf"|{U}{L}?\.(?:-?{U}\.)*"
    rf"|{U}+)"
)
_PARTICLE = (r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|las|los|ter|ten|y|bin|al|el|e"
             rf"|d['’]{U}{L}+|dell['’]{U}{L}+)")
_NAME = rf"{_TOKEN}(?: (?:{_TOKEN}|{_PARTICLE}))*"
AUTHORS_RE = re.compile(
    rf"(?P<authors>{_NAME}(?:, (?:The |the )?{_NAME})*)(?P<et_al> et al\.?)?(?: · (?P<orgs>[^·]+))?\s*$"
)
# where an author list may start: a capital glued to the previous character
CANDIDATE_RE = re.compile(rf"(?<=[^\s\-'’]){U}")
PUNCT_RE = re.compile(r"[^\w\s]+")

# arXiv taxonomy, archives in the precedence used for codes several archives share
_TAXONOMY = {
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI "
          "OH OS PF PL RO SC SD SE SI SY",
    "stat": "AP CO ME ML OT TH",
    "eess": "AS IV SP SY",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT "
            "SG SP ST",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "econ": "EM GN TH",
    "nlin": "AO CD CG PS SI",
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
               "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
}
CATEGORY = {c: c for c in "gr-qc hep-ex hep-lat hep-ph hep-th math-ph nucl-ex nucl-th quant-ph".split()}
for _archive, _codes in _TAXONOMY.items():
    for _code in _codes.split():
        CATEGORY.setdefault(_code, f"{_archive}.{_code}")


def _id(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()[:16]


def split_title_authors(line: str):
    """Leftmost glued capital from which the rest of the line is an author list."""
    for m in CANDIDATE_RE.finditer(line):
        a = AUTHORS_RE.match(line, m.start())
        if a:
            return line[: m.start()].strip(), a
    return None


def parse_date(m: re.Match, captured_on: dt.date):
    month, day, year = MONTHS[m["month"]], int(m["day"]), m["year"]
    try:
        if year:
            return dt.date(int(year), month, day), "day"
        d = dt.date(captured_on.year, month, day)
        if d > captured_on:
            d = dt.date(captured_on.year - 1, month, day)
        return d, "day_inferred_year"
    except ValueError:
        return None, None


def read_records(path: Path):
    """Yield (line_no, header_match, [lines]) for headed groups and (line_no, None, [lines])
    for runs of lines outside any record."""
    current = None
    orphan = None
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        for no, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            m = HEADER_RE.match(line)
            if m:
                if current:
                    yield current
                if orphan:
                    yield orphan
                current, orphan = (no, m, []), None
            elif current is not None and len(current[2]) < 2:
                current[2].append(line)
            else:
                if current:
                    yield current
                    current = None
                if orphan is None:
                    orphan = (no, None, [])
                orphan[2].append(line)
    if current:
        yield current
    if orphan:
        yield orphan


def run_naive(paths: list[Path], out_dir: Path, captured_on: dt.date) -> dict:
    papers: dict[tuple[str, dt.date], dict] = {}
    rejects: list[dict] = []
    n_entries = 0
    for path in paths:
        source = str(path)
        for line_no, header, lines in read_records(path):
            raw = "\n".join(([header.string] if header else []) + lines)
            if header is None:
                rejects.append({"source_file": source, "source_line": line_no,
                                "reason": "text outside a record", "raw": raw})
                continue
            if len(lines) < 2:
                rejects.append({"source_file": source, "source_line": line_no,
                                "reason": "incomplete record", "raw": raw})
                continue
            date, precision = parse_date(header, captured_on)
            if date is None:
                rejects.append({"source_file": source, "source_line": line_no,
                                "reason": "invalid date", "raw": raw})
                continue
            split = split_title_authors(lines[0])
            if split is None:
                rejects.append({"source_file": source, "source_line": line_no,
                                "reason": "cannot split title from authors", "raw": raw})
                continue
            title, m = split
            n_entries += 1
            authors = [a.strip() for a in m["authors"].split(", ")]
            orgs = [o.strip().lower() for o in m["orgs"].split(",")] if m["orgs"] else []
            title_key = " ".join(PUNCT_RE.sub(" ", title.lower()).split())
            key = (title_key, date)
            paper = papers.get(key)
            if paper is None:
                code = header["code"]
                papers[key] = {
                    "paper_id": _id(f"{title_key}|{date.isoformat()}"),
                    "title": title,
                    "abstract": lines[1].strip(),
                    "published_date": date,
                    "year": date.year,
                    "date_precision": precision,
                    "category": CATEGORY.get(code, code),
                    "category_code": code,
                    "has_code": header["badge"] is not None,
                    "authors": authors,
                    "authors_truncated": m["et_al"] is not None,
                    "orgs": orgs,
                    "sources": {source},
                    "n_entries": 1,
                }
            else:
                paper["has_code"] = paper["has_code"] or header["badge"] is not None
                if len(authors) > len(paper["authors"]):
                    paper["authors"] = authors
                    paper["authors_truncated"] = m["et_al"] is not None
                for o in orgs:
                    if o not in paper["orgs"]:
                        paper["orgs"].append(o)
                paper["sources"].add(source)
                paper["n_entries"] += 1

    author_ids: dict[str, str] = {}
    author_papers: dict[str, int] = {}
    paper_rows, paper_author_rows = [], []
    for p in papers.values():
        for pos, name in enumerate(p["authors"], 1):
            aid = author_ids.get(name)
            if aid is None:
                aid = author_ids[name] = _id(name)
                author_papers[name] = 0
            author_papers[name] += 1
            paper_author_rows.append({"paper_id": p["paper_id"], "author_id": aid,
                                      "position": pos, "name_as_listed": name})
        paper_rows.append({
            "paper_id": p["paper_id"], "title": p["title"], "abstract": p["abstract"],
            "published_date": p["published_date"], "year": p["year"],
            "date_precision": p["date_precision"], "category": p["category"],
            "category_code": p["category_code"], "has_code": p["has_code"],
            "n_listed_authors": len(p["authors"]), "authors_truncated": p["authors_truncated"],
            "affiliations": ", ".join(p["orgs"]), "n_sources": len(p["sources"]),
            "n_entries": p["n_entries"],
        })
    author_rows = [{"author_id": aid, "name": name, "n_papers": author_papers[name]}
                   for name, aid in author_ids.items()]

    out_dir.mkdir(parents=True, exist_ok=True)
    schemas = {
        "papers": pa.schema([
            ("paper_id", pa.string()), ("title", pa.string()), ("abstract", pa.string()),
            ("published_date", pa.date32()), ("year", pa.int32()), ("date_precision", pa.string()),
            ("category", pa.string()), ("category_code", pa.string()), ("has_code", pa.bool_()),
            ("n_listed_authors", pa.int32()), ("authors_truncated", pa.bool_()),
            ("affiliations", pa.string()), ("n_sources", pa.int32()), ("n_entries", pa.int32()),
        ]),
        "authors": pa.schema([("author_id", pa.string()), ("name", pa.string()), ("n_papers", pa.int32())]),
        "paper_authors": pa.schema([("paper_id", pa.string()), ("author_id", pa.string()),
                                    ("position", pa.int32()), ("name_as_listed", pa.string())]),
        "rejects": pa.schema([("source_file", pa.string()), ("source_line", pa.int64()),
                              ("reason", pa.string()), ("raw", pa.string())]),
    }
    tables = {"papers": paper_rows, "authors": author_rows,
              "paper_authors": paper_author_rows, "rejects": rejects}
    for name, rows in tables.items():
        pq.write_table(pa.Table.from_pylist(rows, schema=schemas[name]), out_dir / f"{name}.parquet")

    return {
        "files": len(paths),
        "entries": n_entries,
        "rejects": len(rejects),
        "papers": len(paper_rows),
        "authors": len(author_rows),
        "paper_authors": len(paper_author_rows),
    }


def _collect(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*.txt") if f.is_file())
        else:
            files.append(p)
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True, help="directory for the Parquet files")
    ap.add_argument("--captured-on", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = run_naive(_collect(a.paths), a.out, a.captured_on)
    counts["seconds"] = round(time.perf_counter() - t0, 3)
    # Linux reports ru_maxrss in KiB
    counts["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
