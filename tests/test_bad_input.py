"""Every class of broken input the pages bring: quarantined with file, line and reason; nothing lost."""

from __future__ import annotations

import random

import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import flow_ingest, CAPTURED_ON, write_listing

A = "LGFeb 16, 2022Code\nOpen-Ended Reinforcement Learning with Neural Reward FunctionsRobert Meier, Asier Mujika\nInspired by unsupervised learning.\n"
B = "CLDec 19, 2023\nGemini: A Family of Highly Capable Multimodal ModelsGemini Team, Rohan Anil, Sebastian Borgeaud et al.\nThis report introduces Gemini.\n"
C = "MLOct 1, 2018\nTaming VAEsDanilo Jimenez Rezende, Fabio Viola\nIn spite of remarkable progress.\n"


def build_inbox(root):
    rng = random.Random(7)
    # one line of junk: no line ends in it (a lone CR ends a line, like LF)
    junk = bytes(rng.randrange(256) for _ in range(2000)).replace(b"\n", b"").replace(b"\r", b"")
    files = {
        "crlf.txt": (A + B).replace("\n", "\r\n"),
        "bom.txt": "\ufeff" + A + C,
        "latin1.txt": (A + C.replace("Rezende", "Rez\xe9nde")).encode("latin-1"),
        "missing_abstract.txt": A + "NEMay 24, 2017\nFast-Slow Recurrent Neural NetworksAsier Mujika, Florian Meier\n" + C,
        "missing_date.txt": A + "Decoupled Neural InterfacesMax Jaderberg\nAn abstract without its date line.\n" + C,
        "bad_date.txt": A + B.replace("Dec 19, 2023", "Dec 32, 2023") + C,
        "binary_junk.txt": A.encode() + junk + b"\n" + C.encode(),
        "empty.txt": "",
        "huge_line.txt": A + "LGMar 1, 2020\nA Long AbstractAda Lovelace\n" + "x" * 1_000_000 + "\n" + "y" * 1_000_000 + "\n" + C,
        "trailing_blanks.txt": A + C + "\n\n\n   \n\n",
    }
    for name, content in files.items():
        write_listing(root / name, content)
    return files


def test_every_bad_input_class(prefect_harness, tmp_path):

    inbox = tmp_path / "inbox"
    files = build_inbox(inbox)
    before = {name: (inbox / name).read_bytes() for name in files}
    summary = flow_ingest(str(tmp_path / "home"), [str(inbox)], captured_on=CAPTURED_ON)

    current = tmp_path / "home" / "warehouse" / "current"
    rejects = pl.read_parquet(current / "rejects.parquet").with_columns(
        pl.col("source_file").str.replace(r".*/", "")
    )
    assert_frame_equal(
        rejects.select("source_file", "source_line", "reason").sort("source_file", "source_line"),
        pl.DataFrame(
            {
                "source_file": ["bad_date.txt", "binary_junk.txt", "huge_line.txt", "missing_abstract.txt", "missing_date.txt"],
                "source_line": [4, 4, 7, 4, 4],
                "reason": [
                    "invalid date",
                    "text outside a record (no date line above it)",
                    "text outside a record (no date line above it)",
                    "record has no abstract line",
                    "text outside a record (no date line above it)",
                ],
            }
        ),
    )
    # the raw text of each reject is kept whole (the 1 MB junk line too)
    huge = rejects.filter(pl.col("source_file") == "huge_line.txt")["raw"].item()
    assert huge == "y" * 1_000_000

    entries = pl.read_parquet(current / "listing_entries.parquet").with_columns(
        pl.col("source_file").str.replace(r".*/", "")
    )
    per_file = dict(entries.group_by("source_file").len().iter_rows())
    assert per_file == {
        "crlf.txt": 2, "bom.txt": 2, "latin1.txt": 2, "missing_abstract.txt": 2, "missing_date.txt": 2,
        "bad_date.txt": 2, "binary_junk.txt": 2, "huge_line.txt": 3, "trailing_blanks.txt": 2,
    }
    flagged = entries.filter(pl.col("has_invalid_bytes"))["source_file"].unique().sort().to_list()
    assert flagged == ["latin1.txt"]
    papers = pl.read_parquet(current / "papers.parquet")
    assert papers.filter(pl.col("title") == "A Long Abstract")["abstract"].item() == "x" * 1_000_000
    assert summary["n_rejects"] == 5
    # inputs are never modified, moved or deleted
    assert {name: (inbox / name).read_bytes() for name in files} == before


def test_decode_repairs_only_the_lines_that_are_not_utf8():
    from flows.extract import decode

    data = "first é line\n".encode() + "Rez\xe9nde \x81\n".encode("latin-1") + "third ✓\n".encode()
    text, invalid = decode(data)
    assert text == "first é line\nRezénde \x81\nthird ✓\n"
    assert invalid == [2]
    assert decode("plain ✓".encode()) == ("plain ✓", [])
