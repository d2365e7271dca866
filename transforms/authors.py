"""Author mentions -> persons and groups, with the evidence for every merge.

How two written names become one person:

1. **Same folded form** (``Théophane Weber`` / ``Theophane Weber``, case,
   hyphens, dots): one *node* from the start.
2. Nodes are compared only inside a **block** -- same surname key and same first
   initial -- so the work is a join on the block, never all pairs.
3. A pair must be **compatible**: first names equal, or one is the other's
   initial; middle names equal, initial-compatible (``J.`` ~ ``Jimenez``) or
   absent on one side.  Conflicting given names (``Florian``/``Fabian``) and two
   names listed on the *same* record are never merged.
4. The weaker the name rule, the more **evidence** it needs: a full first name
   with a compatible middle initial merges on the name alone; a missing middle
   name or an initial-only first name needs the same slot of the same paper
   on another profile, a shared coauthor, or (flagged low-confidence) a shared
   organisation.  Topic alone never merges: that is a *possible match*, counted
   but left apart -- precision first.
5. A node compatible with two people who conflict with each other (``D. Smith``
   vs ``David`` and ``Daniel Smith``) keeps no edges: it is *ambiguous*, not a
   bridge.  A component that still contains a conflicting pair falls back to
   its strong edges only.
6. Manual overrides (merge/split) are applied last-but-one and are validated:
   a name that was never observed is an error.

Groups (``Gemini Team``) are separate nodes that are never compared with
people.  Everything is Polars joins and group-bys; the only Python loop is
the label propagation that finds connected components, one iteration per
hop of the longest chain (a handful), each a vectorised join.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.grammar import group_name_pattern
from transforms.ids import stable_id
from transforms.names import completeness, name_key, name_parts

#: Separator of the ``name_variants`` string (BI tools read no nested types).
VARIANT_SEPARATOR = " | "
#: Merges below this confidence are flagged for review.
LOW_CONFIDENCE = 0.8
MENTION_KEY = ["source_file", "source_line", "position"]

# (rule, evidence) -> confidence; a missing entry means "not enough to merge".
CONFIDENCE: dict[tuple[str, str], float] = {
    ("middle_initial", "same_slot"): 0.97,
    ("middle_initial", "coauthor"): 0.95,
    ("middle_initial", "organisation"): 0.93,
    ("middle_initial", "topic"): 0.92,
    ("middle_initial", "none"): 0.9,
    ("middle_missing", "same_slot"): 0.95,
    ("middle_missing", "coauthor"): 0.9,
    ("middle_missing", "organisation"): 0.75,
    ("first_initial", "same_slot"): 0.95,
    ("first_initial", "coauthor"): 0.85,
    ("first_initial", "organisation"): 0.7,
}


class OverrideError(ValueError):
    """An override names an author that does not exist, or is malformed."""


@dataclass(frozen=True)
class ResolvedAuthors:
    mentions: pl.LazyFrame  # one row per (entry, position) with author_id
    authors: pl.LazyFrame
    links: pl.LazyFrame  # one row per (author, written form): why it belongs there
    pairs: pl.LazyFrame  # every compared pair with its rule, evidence, decision


def explode_mentions(entries: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (listing entry, listed author) with its 1-based position.

    Mentions come from every listing of a paper, not only the one whose list
    is published: two profiles spelling the same slot differently are the
    strongest evidence that two spellings are one person.
    """
    return (
        entries.select(
            "source_file", "source_line", "paper_id", "category", "orgs",
            pl.col("authors").alias("name_as_listed"),
        )
        .with_columns(position=pl.int_ranges(1, pl.col("name_as_listed").list.len() + 1, dtype=pl.Int32))
        .explode("name_as_listed", "position")
        .filter(pl.col("name_as_listed").is_not_null())
    )


def representative_authorships(mentions: pl.LazyFrame, representatives: pl.LazyFrame) -> pl.LazyFrame:
    """``paper_authors``: the author list of each paper's representative entry."""
    return (
        mentions.join(representatives.select("source_file", "source_line"), on=["source_file", "source_line"])
        .select("paper_id", "author_id", "position", "name_as_listed")
        .sort("paper_id", "position")
    )


def _nodes(mentions: pl.LazyFrame) -> pl.LazyFrame:
    keyed = mentions.with_columns(
        is_group=pl.col("name_as_listed").str.contains(group_name_pattern()),
        key=name_key(pl.col("name_as_listed")),
    )
    return keyed.with_columns(
        node=pl.when(pl.col("is_group")).then(pl.lit("g:")).otherwise(pl.lit("p:")) + pl.col("key")
    )


def _people(nodes: pl.LazyFrame) -> pl.LazyFrame:
    """One row per person node with its name taken apart."""
    return (
        nodes.filter(~pl.col("is_group"))
        .select("node", "key")
        .unique()
        .with_columns(name_parts(pl.col("key")))
        .select("node", "surname_key", "first", "first_initial", "middle")
    )


def _candidate_pairs(people: pl.LazyFrame) -> pl.LazyFrame:
    """Person node pairs that *could* be one person, with their name rule.

    Pairs are generated only where the first names allow it: equal full first
    names (joined on surname + first name), or an initial-only first name
    against everyone with that surname and initial.  Two different full first
    names can never merge, so those pairs -- most of a big surname block
    (``Wang``, ``Smith``) -- are never materialised: the work grows with the
    plausible pairs, not with the square of the block.
    """
    full_first = people.filter(pl.col("first").str.len_chars() > 1)
    initial_only = people.filter(pl.col("first").str.len_chars() == 1)
    same_first = full_first.join(full_first, on=["surname_key", "first"], suffix="_b").filter(
        pl.col("node") < pl.col("node_b")
    )
    with_initial = (
        initial_only.join(people, on=["surname_key", "first_initial"], suffix="_b")
        .filter(pl.col("node") != pl.col("node_b"))
        .select(
            pl.min_horizontal("node", "node_b").alias("node"),
            pl.max_horizontal("node", "node_b").alias("node_b"),
        )
    )
    pairs = pl.concat([same_first.select("node", "node_b"), with_initial]).unique()
    return _name_rules(pairs, people)


def _name_rules(pairs: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """The name rule (or ``conflict``) for given person node pairs ``node < node_b``."""
    attrs = people.select("node", "first", "middle")
    pairs = pairs.join(attrs, on="node").join(attrs.rename({"node": "node_b"}), on="node_b", suffix="_b")
    middles = (
        pairs.filter(
            (pl.col("middle").list.len() > 0)
            & (pl.col("middle").list.len() == pl.col("middle_b").list.len())
        )
        .select("node", "node_b", "middle", "middle_b")
        .explode("middle", "middle_b")
        .with_columns(
            same=pl.col("middle") == pl.col("middle_b"),
            initial=((pl.col("middle").str.len_chars() == 1) & pl.col("middle_b").str.starts_with(pl.col("middle")))
            | ((pl.col("middle_b").str.len_chars() == 1) & pl.col("middle").str.starts_with(pl.col("middle_b"))),
        )
        .group_by("node", "node_b")
        .agg(
            middle_all_same=pl.col("same").all(),
            middle_compatible=(pl.col("same") | pl.col("initial")).all(),
        )
    )
    full = lambda c: pl.col(c).str.len_chars() > 1  # noqa: E731
    len_a, len_b = pl.col("middle").list.len(), pl.col("middle_b").list.len()
    return (
        pairs.join(middles, on=["node", "node_b"], how="left")
        .with_columns(
            first_conflict=pl.col("first").is_null()
            | pl.col("first_b").is_null()
            | (pl.col("first").str.slice(0, 1) != pl.col("first_b").str.slice(0, 1))
            | (full("first") & full("first_b") & (pl.col("first") != pl.col("first_b"))),
            middle_state=pl.when((len_a == 0) & (len_b == 0))
            .then(pl.lit("same"))
            .when((len_a == 0) | (len_b == 0))
            .then(pl.lit("missing"))
            .when(len_a != len_b)
            .then(pl.lit("conflict"))
            .when(pl.col("middle_all_same"))
            .then(pl.lit("same"))
            .when(pl.col("middle_compatible"))
            .then(pl.lit("initial"))
            .otherwise(pl.lit("conflict")),
        )
        .with_columns(
            rule=pl.when(pl.col("first_conflict") | (pl.col("middle_state") == "conflict"))
            .then(pl.lit("conflict"))
            .when(~(full("first") & full("first_b")))
            .then(pl.lit("first_initial"))
            .when(pl.col("middle_state") == "missing")
            .then(pl.lit("middle_missing"))
            .otherwise(pl.lit("middle_initial"))  # same or initial-compatible middles
        )
        .select("node", "node_b", "rule")
    )


def _shared(pairs: pl.LazyFrame, facts: pl.LazyFrame, name: str) -> pl.LazyFrame:
    """Count, per pair, the values of ``facts`` (node, value) both nodes have.

    Each pair is expanded from its node with *fewer* facts and checked against the
    other's: a variant spelling seen on three papers next to a prolific author with
    thousands of coauthors costs three lookups, not thousands (Zipf-shaped
    productivity made the naive join the run's peak memory).
    """
    degree = facts.group_by("node").agg(pl.len().alias("deg"))
    oriented = (
        pairs.select("node", "node_b")
        .join(degree, on="node", how="left")
        .join(degree.rename({"node": "node_b", "deg": "deg_b"}), on="node_b", how="left")
        .with_columns(
            small=pl.when(pl.col("deg").fill_null(0) <= pl.col("deg_b").fill_null(0))
            .then(pl.col("node")).otherwise(pl.col("node_b")),
            large=pl.when(pl.col("deg").fill_null(0) <= pl.col("deg_b").fill_null(0))
            .then(pl.col("node_b")).otherwise(pl.col("node")),
        )
    )
    return (
        oriented.join(facts.rename({"node": "small"}), on="small")
        .join(facts.rename({"node": "large"}), on=["large", "value"], how="semi")
        .group_by("node", "node_b")
        .agg(pl.len().cast(pl.UInt32).alias(name))
    )


def _evidence(pairs: pl.LazyFrame, nodes: pl.LazyFrame) -> pl.LazyFrame:
    """Add evidence columns and the strongest evidence kind to each pair."""
    everyone = nodes.select(*MENTION_KEY[:2], "paper_id", "position", "node", "category", "orgs")
    # facts are needed only about the nodes of candidate pairs (coauthors may be anyone)
    candidates = pl.concat([pairs.select("node"), pairs.select(pl.col("node_b").alias("node"))]).unique()
    records = everyone.join(candidates, on="node", how="semi")
    co = (
        records.select(*MENTION_KEY[:2], "node")
        .join(everyone.select(*MENTION_KEY[:2], pl.col("node").alias("value")), on=MENTION_KEY[:2])
        .filter(pl.col("node") != pl.col("value"))
        .select("node", "value")
        .unique()
    )
    orgs = records.select("node", pl.col("orgs").alias("value")).explode("value").drop_nulls().unique()
    topics = records.select("node", pl.col("category").alias("value")).drop_nulls().unique()
    slots = records.select("node", pl.format("{}#{}", "paper_id", "position").alias("value")).unique()
    # two names on the same record are two people: "value" here is the record itself
    same_record = records.select("node", pl.format("{}#{}", *MENTION_KEY[:2]).alias("value")).unique()

    out = pairs
    for facts, name in ((co, "n_shared_coauthors"), (orgs, "n_shared_orgs"), (topics, "n_shared_topics"),
                        (slots, "n_same_slot"), (same_record, "n_same_record")):
        out = out.join(_shared(pairs, facts, name), on=["node", "node_b"], how="left").with_columns(
            pl.col(name).fill_null(0)
        )
    return out.with_columns(
        evidence=pl.when(pl.col("n_same_slot") > 0)
        .then(pl.lit("same_slot"))
        .when(pl.col("n_shared_coauthors") > 0)
        .then(pl.lit("coauthor"))
        .when(pl.col("n_shared_orgs") > 0)
        .then(pl.lit("organisation"))
        .when(pl.col("n_shared_topics") > 0)
        .then(pl.lit("topic"))
        .otherwise(pl.lit("none")),
        rule=pl.when(pl.col("n_same_record") > 0).then(pl.lit("conflict")).otherwise(pl.col("rule")),
    )


def _decide(pairs: pl.LazyFrame) -> pl.LazyFrame:
    table = pl.LazyFrame(
        {
            "rule": [r for r, _ in CONFIDENCE],
            "evidence": [e for _, e in CONFIDENCE],
            "confidence": list(CONFIDENCE.values()),
        }
    )
    return pairs.join(table, on=["rule", "evidence"], how="left").with_columns(
        decision=pl.when(pl.col("rule") == "conflict")
        .then(pl.lit("conflict"))
        .when(pl.col("confidence").is_not_null())
        .then(pl.lit("merge"))
        .otherwise(pl.lit("possible_match"))
    )


def _apply_overrides(pairs: pl.LazyFrame, overrides: pl.DataFrame | None, known: pl.DataFrame) -> pl.LazyFrame:
    """Overrides name written forms; each must exist.  Merge adds an edge, split a conflict."""
    if overrides is None or overrides.height == 0:
        return pairs
    bad_action = overrides.filter(~pl.col("action").is_in(["merge", "split"]))
    if bad_action.height:
        raise OverrideError(f"override action must be merge or split, got {bad_action['action'][0]!r}")
    keyed = overrides.with_columns(
        key=name_key(pl.col("name_a")), key_b=name_key(pl.col("name_b"))
    )
    known_keys = set(known["key"].to_list())
    unknown = [
        name for name, key in zip(
            keyed["name_a"].to_list() + keyed["name_b"].to_list(),
            keyed["key"].to_list() + keyed["key_b"].to_list(),
        )
        if key not in known_keys
    ]
    if unknown:
        raise OverrideError(f"override names an author never observed: {unknown[0]!r}")
    node_of = known.select("key", "node")
    edges = (
        keyed.join(node_of, on="key")
        .join(node_of.rename({"key": "key_b", "node": "node_b"}), on="key_b")
        .select(
            pl.min_horizontal("node", "node_b").alias("node"),
            pl.max_horizontal("node", "node_b").alias("node_b"),
            pl.when(pl.col("action") == "merge").then(pl.lit("override_merge")).otherwise(pl.lit("override_split")).alias("rule"),
            pl.lit("manual").alias("evidence"),
            pl.when(pl.col("action") == "merge").then(pl.lit(1.0)).otherwise(None).alias("confidence"),
            pl.when(pl.col("action") == "merge").then(pl.lit("merge")).otherwise(pl.lit("conflict")).alias("decision"),
        )
        .lazy()
    )
    kept = pairs.join(edges.select("node", "node_b"), on=["node", "node_b"], how="anti")
    return pl.concat([kept, edges], how="diagonal_relaxed")


def _components(nodes: pl.LazyFrame, edges: pl.LazyFrame) -> pl.DataFrame:
    """Connected components by min-label propagation (one vectorised join per hop)."""
    undirected = pl.concat(
        [edges.select("node", "node_b"), edges.select(pl.col("node_b").alias("node"), pl.col("node").alias("node_b"))]
    ).collect()
    # only nodes with an edge can change label; everyone else is their own component
    everyone = nodes.select("node").unique().with_columns(label=pl.col("node")).collect()
    labels = undirected.select("node").unique().with_columns(label=pl.col("node"))
    labels = _propagate(undirected, labels)
    return everyone.join(labels.rename({"label": "merged"}), on="node", how="left").select(
        "node", pl.coalesce("merged", "label").alias("label")
    )


def _propagate(undirected: pl.DataFrame, labels: pl.DataFrame) -> pl.DataFrame:
    """Min-label propagation until no label changes (one join per hop of the longest chain)."""
    while True:
        proposed = (
            undirected.join(labels.rename({"node": "node_b", "label": "label_b"}), on="node_b")
            .group_by("node")
            .agg(pl.col("label_b").min())
        )
        updated = labels.join(proposed, on="node", how="left").with_columns(
            label=pl.min_horizontal("label", "label_b")
        ).drop("label_b")
        if updated.join(labels, on=["node", "label"], how="anti").height == 0:
            return labels
        labels = updated


def _conflicting(pairs: pl.LazyFrame, decided_conflicts: pl.LazyFrame, people: pl.LazyFrame) -> pl.LazyFrame:
    """Which of ``pairs`` (node < node_b) are two different people: a decided
    conflict (e.g. a split override, or listed on one record) or incompatible names."""
    by_name = _name_rules(pairs, people).filter(pl.col("rule") == "conflict").select("node", "node_b")
    decided = pairs.join(decided_conflicts, on=["node", "node_b"])
    return pl.concat([by_name, decided]).unique()


def _cluster(
    nodes: pl.LazyFrame, decided: pl.LazyFrame, people: pl.LazyFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Components of the merge edges, with bridges and conflicted components defused."""
    merges = decided.filter(pl.col("decision") == "merge")
    decided_conflicts = decided.filter(pl.col("decision") == "conflict").select("node", "node_b")
    undirected = pl.concat(
        [merges.select("node", "node_b"), merges.select(pl.col("node_b").alias("node"), pl.col("node").alias("node_b"))]
    )
    # a node whose merge partners conflict with each other is a bridge: drop its edges
    partner_pairs = (
        undirected.join(undirected.rename({"node_b": "other"}), on="node")
        .filter(pl.col("node_b") < pl.col("other"))
    )
    partner_conflicts = _conflicting(
        partner_pairs.select(pl.col("node_b").alias("node"), pl.col("other").alias("node_b")).unique(),
        decided_conflicts, people,
    )
    bridges = (
        partner_pairs.join(partner_conflicts.rename({"node": "node_b", "node_b": "other"}), on=["node_b", "other"])
        .select("node")
        .unique()
    )
    edges = merges.join(bridges, on="node", how="anti").join(
        bridges.rename({"node": "node_b"}), on="node_b", how="anti"
    )
    labels = _components(nodes, edges)
    # a component still holding a conflicting pair keeps only its strong edges
    multi = labels.filter(pl.len().over("label") > 1)
    within = (
        multi.join(multi.rename({"node": "node_b"}), on="label")
        .filter(pl.col("node") < pl.col("node_b"))
        .lazy()
    )
    conflicted = (
        _conflicting(within.select("node", "node_b"), decided_conflicts, people)
        .join(within, on=["node", "node_b"])
        .select("label")
        .unique()
        .collect()
    )
    if conflicted.height:
        weak = edges.collect().join(labels, on="node").join(conflicted, on="label").filter(
            pl.col("confidence") < 0.95
        ).select("node", "node_b")
        edges = edges.join(weak.lazy(), on=["node", "node_b"], how="anti")
        labels = _components(nodes, edges)
    return labels, bridges.collect()


def resolve_authors(mentions: pl.LazyFrame, overrides: pl.DataFrame | None = None) -> ResolvedAuthors:
    """Give each mention an ``author_id``; build ``authors`` and ``author_links``."""
    # Resolution is global (every mention can affect every other in its block), so the
    # node and pair frames are materialised once instead of being re-derived per use.
    nodes = _nodes(mentions).collect().lazy()
    known = nodes.select("key", "node").unique().collect()
    people = _people(nodes).collect().lazy()
    candidates = _candidate_pairs(people).collect()
    # evidence only matters for pairs whose names are compatible; conflicts stay conflicts
    compatible = _decide(_evidence(candidates.lazy().filter(pl.col("rule") != "conflict"), nodes))
    conflicting = candidates.lazy().filter(pl.col("rule") == "conflict").with_columns(
        decision=pl.lit("conflict")
    )
    decided = _apply_overrides(
        pl.concat([compatible, conflicting], how="diagonal_relaxed"), overrides, known
    ).collect().lazy()
    labels, bridges = _cluster(nodes, decided, people)

    ids = labels.with_columns(author_id=stable_id(pl.col("label")))  # one hash per node, not per mention
    labelled = nodes.join(ids.lazy(), on="node").collect().lazy()
    forms = (
        labelled.group_by("author_id", "name_as_listed")
        .agg(pl.len().alias("n_mentions"), pl.col("node").first(), pl.col("is_group").first())
        .with_columns(score=completeness(pl.col("name_as_listed")))
    )
    canonical = (
        forms.sort("author_id", "score", "n_mentions", "name_as_listed", descending=[False, True, True, False])
        .group_by("author_id", maintain_order=True)
        .first()
        .select("author_id", pl.col("name_as_listed").alias("name"), pl.col("node").alias("canonical_node"))
    )
    # a join, not is_in(list) inside the aggregation: that broadcast the bridge list to every group
    ambiguous = (
        labelled.select("author_id", "node").unique()
        .join(bridges.lazy(), on="node", how="semi")
        .select("author_id", pl.lit(True).alias("is_ambiguous"))
        .unique()
    )
    authors = (
        labelled.group_by("author_id")
        .agg(
            pl.col("is_group").first(),
            pl.col("name_as_listed").unique().sort().str.join(VARIANT_SEPARATOR).alias("name_variants"),
            pl.col("name_as_listed").n_unique().cast(pl.Int32).alias("n_variants"),
            pl.col("paper_id").n_unique().cast(pl.Int32).alias("n_papers"),
        )
        .join(ambiguous, on="author_id", how="left")
        .with_columns(pl.col("is_ambiguous").fill_null(False))
        .join(canonical, on="author_id")
        .select("author_id", "name", "is_group", "name_variants", "n_variants", "n_papers", "is_ambiguous")
        .sort("author_id")
    )
    links = _links(forms, canonical, decided, labels)
    return ResolvedAuthors(
        mentions=labelled.drop("key", "node", "label"),
        authors=authors,
        links=links,
        pairs=decided,
    )


def _links(forms: pl.LazyFrame, canonical: pl.LazyFrame, decided: pl.LazyFrame, labels: pl.DataFrame) -> pl.LazyFrame:
    """Why each written form belongs to its author: the best merge edge of its node."""
    merges = decided.filter(pl.col("decision") == "merge")
    incident = pl.concat(
        [merges.select("node", "rule", "evidence", "confidence"),
         merges.select(pl.col("node_b").alias("node"), "rule", "evidence", "confidence")]
    )
    in_component = incident.join(labels.lazy(), on="node")
    best = (
        in_component.sort("confidence", descending=True).group_by("node", maintain_order=True).first()
        .select("node", "rule", "evidence", "confidence")
    )
    return (
        forms.join(canonical, on="author_id")
        .join(best, on="node", how="left")
        .with_columns(
            rule=pl.when(pl.col("name_as_listed") == pl.col("name")).then(pl.lit("canonical"))
            .when(pl.col("node") == pl.col("canonical_node")).then(pl.lit("folded"))
            .otherwise(pl.col("rule")),
            evidence=pl.when(pl.col("name_as_listed") == pl.col("name")).then(pl.lit("none"))
            .when(pl.col("node") == pl.col("canonical_node")).then(pl.lit("same folded form"))
            .otherwise(pl.col("evidence")),
            confidence=pl.when(pl.col("name_as_listed") == pl.col("name")).then(pl.lit(1.0))
            .when(pl.col("node") == pl.col("canonical_node")).then(pl.lit(0.97))
            .otherwise(pl.col("confidence")),
        )
        .select(
            "author_id", "name_as_listed", "name", "rule", "evidence", "confidence",
            (pl.col("confidence") < LOW_CONFIDENCE).alias("is_low_confidence"),
            pl.col("n_mentions").cast(pl.Int32),
        )
        .sort("author_id", "name_as_listed")
    )


def quality_summary(authors: pl.DataFrame, links: pl.DataFrame, pairs: pl.DataFrame) -> dict[str, object]:
    """Counts that tell, per run, how much the resolution had to guess."""
    merged = links.filter(~pl.col("rule").is_in(["canonical"]))
    return {
        "mentions": int(links["n_mentions"].sum() or 0),
        "written_forms": links.height,
        "persons": authors.filter(~pl.col("is_group")).height,
        "groups": authors.filter(pl.col("is_group")).height,
        "merges_by_rule": dict(sorted(merged.group_by("rule").len().iter_rows())),
        "low_confidence_merges": links.filter(pl.col("is_low_confidence")).height,
        "ambiguous_names": authors.filter(pl.col("is_ambiguous")).height,
        "possible_matches_left_apart": pairs.filter(pl.col("decision") == "possible_match").height,
        "conflicting_pairs_kept_apart": pairs.filter(pl.col("decision") == "conflict").height,
    }
