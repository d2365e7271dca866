"""The maintained organisation table: real ROR ids where verified, unknown slugs kept apart."""

from __future__ import annotations

import re

import polars as pl
from polars.testing import assert_frame_equal

from transforms.affiliations import KNOWN_ORGANISATIONS, build_affiliations, organisations_frame

#: ROR's documented id shape: ``0`` + six of [0-9a-hj-km-np-tv-z] + two check digits.
ROR_ID = re.compile(r"^https://ror\.org/0[0-9a-hj-km-np-tv-z]{6}[0-9]{2}$")


def test_known_ror_ids() -> None:
    table = dict(organisations_frame().select("slug", "ror_id").iter_rows())
    # a few checked by hand against ROR-citing records (name and city)
    assert table["mit"] == "https://ror.org/042nb2s44"
    assert table["eth-zurich"] == "https://ror.org/05a28rw58"
    assert table["deepmind"] == "https://ror.org/00971b260"
    assert table["mila"] == "https://ror.org/05c22rx21"
    assert table["google-research"] is None  # a division: no ROR record of its own


#: Crockford base32, the alphabet of ROR ids.
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def ror_checksum_ok(ror_id: str) -> bool:
    """ROR's last two digits are an ISO/IEC 7064 MOD 97-10 checksum of the first seven
    characters read as a base32 number: a typo in an id fails it."""
    value = 0
    for char in ror_id[:7]:
        value = value * 32 + CROCKFORD.index(char)
    return f"{98 - (value * 100) % 97:02d}" == ror_id[7:]


def test_every_ror_id_is_well_formed_unique_and_checksummed() -> None:
    ids = [r for _, _, r in KNOWN_ORGANISATIONS if r]
    assert len(ids) == len(set(ids))
    for ror in organisations_frame()["ror_id"].drop_nulls():
        assert ROR_ID.match(ror), ror
        assert ror_checksum_ok(ror.removeprefix("https://ror.org/")), ror
    assert not ror_checksum_ok("03fhm3131")  # an NVIDIA id seen in one listing: not a valid ROR id


def test_unknown_slugs_are_kept_and_marked_unknown() -> None:
    got = build_affiliations(pl.LazyFrame({"slug": ["mit", "uc-santa-cruz"]})).collect().sort("slug")
    assert_frame_equal(
        got.select("slug", "name", "ror_id", "is_known"),
        pl.DataFrame({
            "slug": ["mit", "uc-santa-cruz"],
            "name": ["Massachusetts Institute of Technology", "Uc Santa Cruz"],
            "ror_id": ["https://ror.org/042nb2s44", None],
            "is_known": [True, False],
        }),
    )
