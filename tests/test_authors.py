"""Author resolution rules, one behaviour per test, on small real-format listings."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.authors import OverrideError
from transforms.names import name_key
from transforms.tables import resolve
from tests.conftest import examples, parsed_listing

_line = iter(range(10**6))


def record(authors: str, title: str | None = None, cat: str = "LG", orgs: str = "") -> str:
    title = title or f"Paper Number {next(_line)}"
    tail = f" · {orgs}" if orgs else ""
    return f"{cat}Mar 3, 2021\n{title}{authors}{tail}\nAbstract.\n"


def author_of(*records: str, overrides: pl.DataFrame | None = None) -> dict[str, str]:
    mentions = resolve(parsed_listing("".join(records)), overrides).authors.mentions.collect()
    pairs = mentions.select("name_as_listed", "author_id").unique()
    assert pairs["name_as_listed"].is_unique().all(), "a written form split across authors"
    return dict(pairs.iter_rows())


def test_seed_variants_merge_and_shared_surnames_do_not():
    ids = author_of(
        record("Thomas Mesnard, Théophane Weber, Fabio Viola"),
        record("Lars Buesing, Theophane Weber, Sebastien Racaniere"),
        record("Danilo J. Rezende, Ivo Danihelka"),
        record("Marco Fraccaro, Danilo Jimenez Rezende, Yori Zwols"),
        record("Robert Meier, Asier Mujika"),
        record("Asier Mujika, Florian Meier, Angelika Steger"),
    )
    assert ids["Théophane Weber"] == ids["Theophane Weber"]
    assert ids["Danilo J. Rezende"] == ids["Danilo Jimenez Rezende"]
    assert ids["Robert Meier"] != ids["Florian Meier"]


def test_missing_middle_name_needs_evidence():
    alone = author_of(record("Samuel L. Smith, Ada One"), record("Samuel Smith, Bob Two"))
    assert alone["Samuel L. Smith"] != alone["Samuel Smith"]  # name alone: left apart
    shared = author_of(record("Samuel L. Smith, Ada One"), record("Samuel Smith, Ada One"))
    assert shared["Samuel L. Smith"] == shared["Samuel Smith"]  # shared coauthor: merged


def test_initial_only_form_does_not_bridge_two_people():
    ids = author_of(
        record("David Smith, Ada One"),
        record("Daniel Smith, Bob Two"),
        record("D. Smith, Ada One, Bob Two"),
    )
    assert ids["David Smith"] != ids["Daniel Smith"]
    assert ids["D. Smith"] not in {ids["David Smith"], ids["Daniel Smith"]}


def test_conflicting_middle_names_and_same_record_stay_apart():
    ids = author_of(
        record("John A. Park, Ada One"),
        record("John B. Park, Ada One"),
        record("Wei Chen, W. Chen, Ada One"),
    )
    assert ids["John A. Park"] != ids["John B. Park"]
    assert ids["Wei Chen"] != ids["W. Chen"]  # listed together: two people


def test_groups_are_never_merged_with_people():
    ids = author_of(record("Gemini Team, Ada One"), record("Gemini Team, Ada One"), record("Gem Team, Ada One"))
    assert len({ids["Gemini Team"], ids["Gem Team"], ids["Ada One"]}) == 3


def test_overrides_merge_split_and_validate():
    records = (
        record("Alexander Sasha Vezhnevets, Simon Osindero"),
        record("Sasha Vezhnevets, Volodymyr Mnih"),
        record("Danilo J. Rezende, Ivo Danihelka"),
        record("Danilo Jimenez Rezende, Ivo Danihelka"),
    )
    overrides = pl.DataFrame(
        {
            "action": ["merge", "split"],
            "name_a": ["Alexander Sasha Vezhnevets", "Danilo J. Rezende"],
            "name_b": ["Sasha Vezhnevets", "Danilo Jimenez Rezende"],
        }
    )
    ids = author_of(*records, overrides=overrides)
    assert ids["Alexander Sasha Vezhnevets"] == ids["Sasha Vezhnevets"]
    assert ids["Danilo J. Rezende"] != ids["Danilo Jimenez Rezende"]
    typo = overrides.with_columns(pl.lit("Sasha Vezhnevet").alias("name_b"))
    with pytest.raises(OverrideError, match="never observed: 'Sasha Vezhnevet'"):
        author_of(*records, overrides=typo)


def test_links_explain_each_merge():
    text = record("Wojciech M. Czarnecki, Max Jaderberg") + record("Wojciech Marian Czarnecki, Max Jaderberg")
    links = resolve(parsed_listing(text)).authors.links.collect()
    row = links.filter(pl.col("name_as_listed") == "Wojciech M. Czarnecki").row(0, named=True)
    assert row["name"] == "Wojciech Marian Czarnecki"  # the most complete form names the person
    assert (row["rule"], row["evidence"], row["is_low_confidence"]) == ("middle_initial", "coauthor", False)


NAME_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèüøłñç", min_size=2, max_size=8)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(NAME_PART, min_size=2, max_size=4))
def test_name_key_ignores_case_accents_and_hyphens(parts):
    spaced = " ".join(p.capitalize() for p in parts)
    variants = [spaced, spaced.upper(), "-".join(p.capitalize() for p in parts[:-1]) + " " + parts[-1].capitalize()]
    keys = pl.Series(variants).to_frame("n").select(name_key(pl.col("n")))["n"].to_list()
    assert len(set(keys)) == 1
    folded = keys[0]
    assert folded == folded.lower() and folded.isascii()
    again = pl.Series([folded]).to_frame("n").select(name_key(pl.col("n")))["n"].item()
    assert again == folded  # idempotent
