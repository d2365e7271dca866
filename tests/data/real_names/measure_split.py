"""Measure the title/author split on a set of real (title, authors) records.

Usage: ``python tests/data/real_names/measure_split.py SET.jsonl [--show N]``

Each input line is ``{"id", "title", "authors": [first three names], "truncated"}``
(see README.md in this folder for where the sets come from).  Every record is
rendered as a listing record -- header, ``title + ", ".join(authors)`` (``et al.``
when truncated), an abstract -- and parsed by the real pipeline: the per-source
parse, then the global corpus/override step.  A split is *exact* when the parsed
title is the record's title; the author list is checked as well.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import unicodedata
from pathlib import Path

import polars as pl

from transforms.parse import parse_sources

CAPTURED_ON = datetime.date(2026, 3, 1)


def render(records: list[dict]) -> str:
    lines = []
    for r in records:
        line = r["title"] + ", ".join(r["authors"]) + (" et al." if r["truncated"] else "")
        lines += ["LGMar 3, 2024", line, "An abstract."]
    return "\n".join(lines) + "\n"


def _clean(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def measure(path: Path, show: int = 0, corpus: bool = True) -> dict:
    records = [json.loads(line) for line in path.open(encoding="utf-8")]
    sources = pl.LazyFrame({"source_file": [path.name], "text": [render(records)], "captured_on": [CAPTURED_ON]})
    parsed = parse_sources(sources)
    entries = parsed.entries
    if corpus:
        try:
            from transforms.split import resolve_splits
        except ImportError:  # before the corpus step existed
            pass
        else:
            entries = resolve_splits(entries, None)
    entries, rejects = pl.collect_all([entries, parsed.rejects])
    got = {row["source_line"]: row for row in entries.iter_rows(named=True)}
    exact = authors_exact = 0
    wrong: list[str] = []
    by_rule: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        row = got.get(3 * i + 1)
        ok = row is not None and row["title"] == _clean(r["title"])
        exact += ok
        if row is not None:
            stats = by_rule.setdefault(row["split_rule"], [0, 0])
            stats[0] += 1
            stats[1] += ok
        if ok:
            authors_exact += row["authors"] == [_clean(a) for a in r["authors"]]
        elif len(wrong) < show:
            wrong.append(f"{r['id']}: {r['title'][-40:]!r} + {r['authors']} -> "
                         + ("REJECTED" if row is None else f"{row['title'][-40:]!r} {row['authors']} [{row['split_rule']}]"))
    return {"records": len(records), "exact": exact, "rate": exact / len(records), "rejected": rejects.height,
            "authors_exact": authors_exact,
            "by_rule": by_rule, "wrong": wrong}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=0, help="print up to N inexact splits")
    ap.add_argument("--no-corpus", action="store_true", help="the per-source parse only")
    args = ap.parse_args(argv)
    for path in args.sets:
        result = measure(path, args.show, corpus=not args.no_corpus)
        print(f"{path.name}: {result['exact']}/{result['records']} exact = {result['rate']:.2%} "
              f"(author list also exact: {result['authors_exact']}), "
              f"rejected {result['rejected']}, by rule (n, exact): {result['by_rule']}")
        for line in result["wrong"]:
            print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
