"""Organisation slugs -> organisations.

Listings name organisations by slug (``deepmind``).  The maintained table
below gives the display name (and ROR id where known); a slug not in it still
becomes an organisation, with a readable fallback name and ``is_known`` false,
so new slugs show up in the data instead of disappearing.
"""

from __future__ import annotations

import polars as pl

from transforms.ids import stable_id

#: The ROR prefix: a ROR id is this URL plus nine characters (``0``, six letters or
#: digits, two check digits).
ROR_PREFIX = "https://ror.org/"

# slug, display name, ROR id.  Each id was looked up in public ROR-citing material and
# matched by name (and city where shown) in at least two independent places; a slug is
# left empty when its organisation has no ROR record of its own (research divisions of
# companies: Google Research, Amazon Science, Microsoft Research and Meta AI are covered
# only by their parent company's record, and attaching the parent's id to the division
# would be a category error) or when the id could not be verified (Baidu, Meta).
KNOWN_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("deepmind", "Google DeepMind", "00971b260"),
    ("google", "Google", "00njsd438"),
    ("google-research", "Google Research", ""),
    ("mila", "Mila - Quebec AI Institute", "05c22rx21"),
    ("mit", "Massachusetts Institute of Technology", "042nb2s44"),
    ("amazon-science", "Amazon Science", ""),
    ("baidu", "Baidu", ""),
    ("openai", "OpenAI", "05wx9n238"),
    ("meta", "Meta AI", ""),
    ("microsoft", "Microsoft Research", ""),
    ("stanford", "Stanford University", "00f54p054"),
    ("berkeley", "University of California, Berkeley", "01an7q238"),
    ("cmu", "Carnegie Mellon University", "05x2bcf33"),
    ("oxford", "University of Oxford", "052gg0110"),
    ("cambridge", "University of Cambridge", "013meh722"),
    ("ucl", "University College London", "02jx3x895"),
    ("eth-zurich", "ETH Zurich", "05a28rw58"),
    ("nvidia", "NVIDIA", "03jdj4y14"),
    ("anthropic", "Anthropic", "056y0v115"),
    ("tsinghua", "Tsinghua University", "03cve4549"),
)


def organisations_frame() -> pl.DataFrame:
    """The maintained slug table (``ror_id`` as the full ROR URL, the form ROR cites)."""
    return pl.DataFrame(
        {
            "slug": [s for s, _, _ in KNOWN_ORGANISATIONS],
            "name": [n for _, n, _ in KNOWN_ORGANISATIONS],
            "ror_id": [ROR_PREFIX + r if r else None for _, _, r in KNOWN_ORGANISATIONS],
        },
        schema={"slug": pl.String, "name": pl.String, "ror_id": pl.String},
    )


def fallback_name(slug: pl.Expr) -> pl.Expr:
    """``amazon-science`` -> ``Amazon Science``: readable until someone adds the slug."""
    return slug.str.replace_all(r"[-_.]+", " ").str.to_titlecase()


def build_affiliations(slugs: pl.LazyFrame) -> pl.LazyFrame:
    """One row per distinct slug in ``slugs`` (column ``slug``)."""
    return (
        slugs.select("slug")
        .unique()
        .join(organisations_frame().lazy(), on="slug", how="left")
        .select(
            stable_id(pl.col("slug")).alias("affiliation_id"),
            "slug",
            pl.col("name").fill_null(fallback_name(pl.col("slug"))),
            "ror_id",
            pl.col("name").is_not_null().alias("is_known"),
        )
    )
