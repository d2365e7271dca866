"""Organisation slugs -> organisations.

Listings name organisations by slug (``deepmind``).  The maintained table
below gives the display name (and ROR id where known); a slug not in it still
becomes an organisation, with a readable fallback name and ``is_known`` false,
so new slugs show up in the data instead of disappearing.
"""

from __future__ import annotations

import polars as pl

from transforms.ids import stable_id

# slug, display name, ROR id (empty until someone verifies it against ror.org)
KNOWN_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("deepmind", "Google DeepMind", ""),
    ("google", "Google", ""),
    ("google-research", "Google Research", ""),
    ("mila", "Mila - Quebec AI Institute", ""),
    ("mit", "Massachusetts Institute of Technology", ""),
    ("amazon-science", "Amazon Science", ""),
    ("baidu", "Baidu", ""),
    ("openai", "OpenAI", ""),
    ("meta", "Meta AI", ""),
    ("microsoft", "Microsoft Research", ""),
    ("stanford", "Stanford University", ""),
    ("berkeley", "University of California, Berkeley", ""),
    ("cmu", "Carnegie Mellon University", ""),
    ("oxford", "University of Oxford", ""),
    ("cambridge", "University of Cambridge", ""),
    ("ucl", "University College London", ""),
    ("eth-zurich", "ETH Zurich", ""),
    ("nvidia", "NVIDIA", ""),
    ("anthropic", "Anthropic", ""),
    ("tsinghua", "Tsinghua University", ""),
)


def organisations_frame() -> pl.DataFrame:
    """The maintained slug table."""
    return pl.DataFrame(
        {
            "slug": [s for s, _, _ in KNOWN_ORGANISATIONS],
            "name": [n for _, n, _ in KNOWN_ORGANISATIONS],
            "ror_id": [r or None for _, _, r in KNOWN_ORGANISATIONS],
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
