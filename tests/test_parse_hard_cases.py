"""Real name patterns the benchmark generator found mis-split, pinned as regressions."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from transforms.parse import parse_sources

CASES = [
    ("BLOOM: A 176B-Parameter Open-Access Multilingual Language ModelBigScience Workshop, Teven Le Scao",
     "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
     ["BigScience Workshop", "Teven Le Scao"], "strict"),
    ("Nemotron-4 340B Technical ReportNVIDIA, Bo Adler, Niket Agarwal",
     "Nemotron-4 340B Technical Report", ["NVIDIA", "Bo Adler", "Niket Agarwal"], "strict"),
    ("Parsing with CCGJun'ichi Tsujii", "Parsing with CCG", ["Jun'ichi Tsujii"], "strict"),
    ("Frontier AI RegulationSeán Ó hÉigeartaigh, Markus Anderljung",
     "Frontier AI Regulation", ["Seán Ó hÉigeartaigh", "Markus Anderljung"], "strict"),
    ("Llama 2: Open Foundation and Fine-Tuned Chat ModelsHugo Touvron, Louis Martin",
     "Llama 2: Open Foundation and Fine-Tuned Chat Models", ["Hugo Touvron", "Louis Martin"], "strict"),
]


@pytest.mark.parametrize(("line", "title", "authors", "rule"), CASES)
def test_hard_real_splits(line, title, authors, rule):
    text = f"CLMar 3, 2024\n{line}\nAn abstract.\n"
    sources = pl.LazyFrame({"source_file": ["x.txt"], "text": [text], "captured_on": [datetime.date(2026, 3, 1)]})
    entries = parse_sources(sources).entries.collect()
    assert entries.height == 1
    row = entries.row(0, named=True)
    assert (row["title"], row["authors"], row["split_rule"]) == (title, authors, rule)


def test_org_authors_are_groups():
    from transforms.tables import build_tables

    text = "LGJun 1, 2024\nA ReportNVIDIA, Meta AI, Ada Lovelace\nAbstract.\n"
    sources = pl.LazyFrame({"source_file": ["x.txt"], "text": [text], "captured_on": [datetime.date(2026, 3, 1)]})
    tables, _ = build_tables(parse_sources(sources), "r")
    groups = dict(tables["authors"].select("name", "is_group").iter_rows())
    assert groups == {"NVIDIA": True, "Meta AI": True, "Ada Lovelace": False}
