"""Where the title ends and the author list begins: every allowed split, the best one, how sure.

The title is glued to its authors with no separator, so the split is a guess from
the grammar (transforms/grammar.py).  The guess happens in two phases, because a
source's parse is cached by its bytes and may depend on nothing else:

1. :func:`split_title_lines`, per source.  Every split point the strict grammar
   allows is enumerated (the leftmost, then the next one to its right, up to
   :data:`MAX_CANDIDATES`); when there is none, the loose grammar's; when there is
   none either, the *fallback* takes the first glued capital (a record is never
   rejected for its split).  Several points inside one run of capitals
   (``…Low-Luminosity AGNR E Mason``: ``AG`` + ``NR E Mason`` or ``AGN`` + ``R E
   Mason``) are ranked by what the two sides look like: a common title ending
   (``AGN``, ``GeV``), an author that starts like a name (``R``, ``J.``,
   ``Yann``) rather than with an unknown capital run (``NR``).  Candidates further
   right, inside the author list (``Nat Mc`` + ``Aleese``), never beat the leftmost
   one: the leftmost rule is what the grammar is built for.
2. :func:`choose_splits`, globally, after every source is parsed: rows whose split is
   not confident are re-split and the candidate whose authors are *seen elsewhere*
   (in confident splits anywhere in the warehouse) wins; ``overrides/splits.csv`` rows
   fix known bad splits.  It is a join over the few uncertain rows, so an incremental
   run equals a full rebuild.

``split_confidence`` is never high without reason: only a strict split with a single
candidate (or with candidates that cut into the author list only) is >= 0.9.

Speed: the grammar runs on an ASCII *shape* of each line (see grammar.py); an ASCII
line is its own shape, so the 7-pass rewrite runs only on non-ASCII lines (the
check is a byte/char length comparison).  Work on a subset of rows is done by
feeding the other rows an empty string, which the regex engines skip at once,
instead of filtering and concatenating frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from transforms.authors import OverrideError
from transforms.grammar import (
    fallback_split_patterns,
    NAME_PREFIXES,
    NON_ASCII_SPACES,
    group_name_pattern,
    loose_split_pattern,
    shape_of,
    strict_split_pattern,
)
from transforms.names import name_key
from transforms.text import clean_long_text, clean_text

#: What identifies an entry across the two phases.
ENTRY_KEY = ["source_file", "source_line"]

RULE_STRICT = "strict"
RULE_LOOSE = "loose"
RULE_FALLBACK = "fallback"
RULE_CORPUS = "corpus"
RULE_OVERRIDE = "override"

#: Split points enumerated per line (the leftmost and up to three more to its right).
MAX_CANDIDATES = 4

#: Strict grammar, one split point (or others only inside the author list).
CONFIDENCE_STRICT_UNIQUE = 0.95
CONFIDENCE_STRICT_REMOTE = 0.9
#: Strict grammar, several points in one capital run: this plus MARGIN_STEP per point
#: of ranking margin, capped at CONFIDENCE_RANKED_MAX.
CONFIDENCE_RANKED_BASE = 0.5
CONFIDENCE_MARGIN_STEP = 0.1
CONFIDENCE_RANKED_MAX = 0.8
#: Strict, but the first author is one word (``Alexander``, ``Mausam``) or ends in a
#: CamelCase surname no prefix explains (``J. ZuHone``).
CONFIDENCE_SINGLE_WORD = 0.85
CONFIDENCE_LOOSE = 0.5
CONFIDENCE_LOOSE_AMBIGUOUS = 0.4
CONFIDENCE_FALLBACK = 0.2
#: No glued capital at all: the whole line is taken as the title.
CONFIDENCE_NO_SPLIT = 0.0
CONFIDENCE_CORPUS = 0.9
CONFIDENCE_OVERRIDE = 1.0
#: Splits at or above this feed the corpus of known names, and are not re-decided.
CONFIDENT = 0.9
#: Splits below this are listed for review (sql/low_confidence_splits.sql uses the same number).
LOW_CONFIDENCE = 0.75

#: Title endings seen often before a glued author (acronyms, units, surveys, codes):
#: a split that keeps one of them whole -- on either side: ``LHCb Collaboration`` -- is
#: preferred inside a capital run.
KNOWN_TITLE_ENDINGS = (
    "AGN", "AGNs", "QSO", "QSOs", "SN", "SNe", "GRB", "GRBs", "FRB", "FRBs", "CMB", "ISM", "IGM", "CGM",
    "BH", "BHs", "SMBH", "SMBHs", "NS", "WD", "YSO", "YSOs", "HII", "HI", "LMC", "SMC", "M31", "M33", "M87",
    "SDSS", "DES", "LSST", "HST", "JWST", "ALMA", "VLA", "VLT", "VLBI", "LOFAR", "SKA", "MWA", "TESS", "Gaia",
    "DESI", "eROSITA", "XMM", "LIGO", "LHC", "LHCb", "ATLAS", "CMS", "ALICE", "RHIC", "ILC", "QCD", "QED",
    "GeV", "TeV", "MeV", "keV", "eV", "PeV", "EeV", "GHz", "MHz", "THz", "kHz", "Hz", "K", "pc", "kpc", "Mpc",
    "NLP", "RL", "LLM", "LLMs", "GAN", "GANs", "VAE", "VAEs", "CNN", "CNNs", "RNN", "RNNs", "GNN", "GNNs",
    "MCMC", "SGD", "PDE", "PDEs", "ODE", "ODEs", "SDE", "SDEs", "MHD", "DFT", "NMR", "QFT", "CFT", "AdS",
    "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "USA", "UK", "EU", "AI", "ML", "3D", "2D", "1D",
)
#: All-capitals given names seen in real author lists (``DJ Strouse``, ``JJ. Kavelaars``).
KNOWN_CAPS_GIVEN = ("DJ", "AJ", "TJ", "JB", "CJ", "JJ", "JJ.", "JP", "JC", "RJ", "BJ", "MJ", "PJ", "KC", "JR")

#: In the shape, the first token of an author that starts like a name: a capitalised
#: word, an initial (``J.``, bare ``R``), a hyphenated initial (``J-P``).
_NAMELIKE_HEAD = r"^(?:[A-Z][a-z\x05]|[A-Z]\.|[A-Z]$|[A-Z]-)"
_LONE_LETTER = r"^[A-Z]\.?$"
#: Text moved between two split points of one capital run (``GN`` in ``A|GN|R``); a
#: dotted initial (``approachL.`` + ``C.Martin``) is not a title ending, so no dots.
_CAPITAL_RUN = r"^[A-Z]+$"
#: A title ending in capitals glued to lowercase or punctuation (``Learning?D`` + ``J
#: Weber``, ``resultsCR`` + ``ESST collaboration``) is a cut inside the author's first
#: token, not a title ending (unless it is a known ending such as ``GeV``).
_GLUED_LONE_CAPITAL = r"[^\sA-Z0-9][A-Z]+$"
GLUED_LONE_CAPITAL_PENALTY = 1
#: Worse: a lowercase word then capitals (``LearningLH`` + ``Cb Collaboration``); a short
#: form such as ``ZnO`` (a formula) only gets the penalty above.
_WORD_THEN_CAPITALS = r"[a-z]{2,}[A-Z]+$"
WORD_THEN_CAPITALS_PENALTY = 2
_GLUED_CAPITAL = r"[^\s'\x02-][A-Z]"
#: The first author is a single word: no space or dot before the first ", " (or the end);
#: ``L.C.Martin`` is initials and a surname, not one word.
_SINGLE_WORD_FIRST = r"^[^\s,.]+\s*(?:,|$)"
#: Over the shape: a capital, one or two lowercase letters, a capital (``ZuHone``).
_CAMEL = r"^[A-Z][a-z\x05]{1,2}[A-Z][a-z\x05]"
_PREFIXED = "^(?:" + "|".join(NAME_PREFIXES) + r")[A-Z]"
_ORGS_MARK = "[ \t]+\x01[ \t]+"
_ET_AL = r",?[ \t]+et[ \t]+al\.?[ \t]*$"
#: ``Luca Baldini for the Fermi LAT Collaboration`` -> ``Luca Baldini, the Fermi LAT Collaboration``
_CONNECTOR = r",?[\p{Zs}\t]+(?:for|on[\p{Zs}\t]+behalf[\p{Zs}\t]+of)[\p{Zs}\t]+"
_SUFFIX = r", (Jr\.?|Sr\.?|II|III|IV)(,|$)"

TAIL_DTYPE = pl.Struct({"authors": pl.String, "et_al": pl.String, "orgs": pl.String})


class SplitOverrideError(OverrideError):
    """A split override that cannot apply: its title line was never observed, or its
    title is not the start of that line."""


# --------------------------------------------------------------------------- #
# Phase 1: per source
# --------------------------------------------------------------------------- #

def split_title_lines(records: pl.LazyFrame) -> pl.LazyFrame:
    """Input has ``title_line`` (String, nullable) plus any other columns (kept; row order
    is not: the common lines and the others are computed apart and concatenated).

    Adds ``split_at`` (Int64: char offset of the title's last character; null only when
    ``title_line`` is null), ``split_rule`` ('strict' | 'loose' | 'fallback'),
    ``split_confidence`` (Float64 in [0, 1]), ``split_candidates`` (List(Int64): every
    split offset the grammar allows) and ``s`` (Struct{authors, et_al, orgs}: the text
    after ``split_at``).
    """
    line = pl.col("title_line")
    shaped = records.with_columns(
        _shape=line.map_batches(_shape_non_ascii, return_dtype=pl.String, is_elementwise=True)
    ).with_columns(_st0=pl.col("_shape").str.find(strict_split_pattern()).cast(pl.Int64))
    # Most lines have one strict split and no glued capital after it: nothing to rank, no
    # other candidate.  Only the rest go through candidates, loose, fallback and ranking.
    simple = pl.col("_st0").is_not_null() & ~pl.col("_shape").str.slice(pl.col("_st0") + 1).str.contains(_GLUED_CAPITAL)
    shaped = shaped.with_columns(_simple=simple.fill_null(False))
    easy = shaped.filter(pl.col("_simple")).with_columns(
        split_at=pl.col("_st0"),
        split_rule=pl.lit(RULE_STRICT),
        split_candidates=pl.concat_list([pl.col("_st0")]),
        _rule=pl.lit(RULE_STRICT), _ranked=pl.lit(False), _margin=pl.lit(0, dtype=pl.Int32),
        _c1=pl.lit(None, dtype=pl.Int64), _no_capital=pl.lit(False), _group_inner=pl.lit(False),
    )
    hard = _hard_splits(shaped.filter(~pl.col("_simple")))
    columns = easy.collect_schema().names()
    staged = (
        pl.concat([easy, hard.select(columns)])
        .pipe(with_tail, "title_line", pl.col("_shape"), "split_at")
        .with_columns(split_confidence=_confidence(_capped(first_author_of(pl.col("_shape"), pl.col("split_at")))))
    )
    return staged.drop(["_shape", "_st0", "_simple", "_rule", "_ranked", "_margin", "_c1", "_no_capital", "_group_inner"])


def split_title_columns(lines: pl.Series) -> pl.DataFrame:
    """``split_at``, ``split_rule``, ``split_confidence`` for a Series of title lines, in
    its order: the eager form of :func:`split_title_lines` for a parser that holds
    frames in memory and takes the tail apart itself (:func:`tail_of`).

    The common lines (one strict split, no glued capital after it) are done with a few
    Series operations; only the others go through the lazy candidate/ranking plan, as
    a subset scattered back into place (no reordering, no sort).
    """
    lines = lines.rename("title_line")
    shape = _shape_non_ascii(lines)
    frame = pl.DataFrame({"title_line": lines, "_shape": shape}).with_columns(
        _st0=pl.col("_shape").str.find(strict_split_pattern()).cast(pl.Int64)
    )
    frame = frame.with_columns(
        _simple=(pl.col("_st0").is_not_null()
                 & ~pl.col("_shape").str.slice(pl.col("_st0") + 1).str.contains(_GLUED_CAPITAL)).fill_null(False)
    )
    split_at = frame["_st0"]
    rule = pl.Series("split_rule", [RULE_STRICT] * frame.height, dtype=pl.String)
    ranked = pl.Series("_ranked", [False] * frame.height)
    margin = pl.Series("_margin", [0] * frame.height, dtype=pl.Int32)
    several = pl.Series("_several", [False] * frame.height)
    no_capital = pl.Series("_no_capital", [False] * frame.height)
    group_inner = pl.Series("_group_inner", [False] * frame.height)
    hard_mask = ~frame["_simple"]
    if hard_mask.any():
        index = hard_mask.arg_true()
        hard = _hard_splits(frame.drop("_simple").gather(index).lazy()).select(
            "split_at", "split_rule", "_ranked", "_margin", pl.col("_c1").is_not_null().alias("_several"), "_no_capital",
            "_group_inner",
        ).collect()
        split_at = split_at.scatter(index, hard["split_at"])
        rule = rule.scatter(index, hard["split_rule"])
        ranked = ranked.scatter(index, hard["_ranked"])
        margin = margin.scatter(index, hard["_margin"])
        several = several.scatter(index, hard["_several"])
        no_capital = no_capital.scatter(index, hard["_no_capital"])
        group_inner = group_inner.scatter(index, hard["_group_inner"])
    # the first author (up to the first comma) is all the confidence needs of the tail
    first = pl.DataFrame({"s": shape, "at": split_at}).select(first_author_of(pl.col("s"), pl.col("at"))).to_series()
    capped = pl.Series("_capped", [False] * frame.height)
    maybe = _might_be_capped(first)
    if maybe.any():
        index = maybe.arg_true()
        capped = capped.scatter(index, first.gather(index).to_frame("f").select(_capped(pl.col("f"))).to_series())
    out = pl.DataFrame([split_at.alias("split_at"), rule.alias("_rule"), ranked, margin, several, no_capital, capped,
                        group_inner])
    return out.select(
        "split_at",
        pl.col("_rule").alias("split_rule"),
        _confidence(pl.col("_capped"), several=pl.col("_several")).alias("split_confidence"),
    )


def tail_of(rest: pl.Series) -> pl.DataFrame:
    """The text after a split (``rest``) taken apart: ``authors_text`` (connector phrases
    turned into list separators), ``et_al`` and ``orgs_text`` -- the struct ``s`` of
    :func:`split_title_lines`, for a parser that slices the rest itself."""
    frame = rest.rename("title_line").to_frame().with_columns(_at=pl.lit(-1, dtype=pl.Int64)).lazy()
    shape = pl.col("title_line").map_batches(_blank_shape_non_ascii, return_dtype=pl.String, is_elementwise=True)
    return (
        with_tail(frame, "title_line", shape, "_at")
        .select(
            pl.col("s").struct.field("authors").alias("authors_text"),
            pl.col("s").struct.field("et_al"),
            pl.col("s").struct.field("orgs").alias("orgs_text"),
        )
        .collect()
    )


def _hard_splits(shaped: pl.LazyFrame) -> pl.LazyFrame:
    """Every candidate, the loose grammar and the fallback, and the ranking: for the lines
    that have no strict split or a glued capital after it."""
    line = pl.col("title_line")
    staged = _candidates(shaped, pl.col("_shape"), strict_split_pattern(), "_st", first="_st0").with_columns(
        _failed=pl.col("_st0").is_null() & line.is_not_null()
    )
    loose_input = pl.when(pl.col("_failed")).then(pl.col("_shape")).otherwise(pl.lit(""))
    staged = _candidates(staged, loose_input, loose_split_pattern(), "_lo").with_columns(
        _nothing=pl.col("_failed") & pl.col("_lo0").is_null()
    )
    staged = _fallback(staged)

    rule = (
        pl.when(line.is_null()).then(pl.lit(None, dtype=pl.String))
        .when(pl.col("_st0").is_not_null()).then(pl.lit(RULE_STRICT))
        .when(pl.col("_lo0").is_not_null()).then(pl.lit(RULE_LOOSE))
        .otherwise(pl.lit(RULE_FALLBACK))
    )
    slots = [
        pl.when(pl.col("_rule") == RULE_STRICT).then(pl.col(f"_st{k}"))
        .when(pl.col("_rule") == RULE_LOOSE).then(pl.col(f"_lo{k}"))
        .otherwise(pl.col(f"_fb{k}"))
        .alias(f"_c{k}")
        for k in range(MAX_CANDIDATES)
    ]
    no_capital = (pl.col("_rule") == RULE_FALLBACK) & pl.col("_fb0").is_null()
    return (
        staged.with_columns(_rule=rule)
        .with_columns(slots)
        .with_columns(
            # no glued capital anywhere: the whole line is the title (nothing is lost)
            _c0=pl.when(no_capital).then(line.str.len_chars().cast(pl.Int64) - 1).otherwise(pl.col("_c0")),
            _no_capital=no_capital,
        )
        .pipe(_rank)
        .with_columns(_group_inner=_group_absorbs_candidate(pl.col("_shape"), pl.col("_best")))
        .with_columns(
            split_at=pl.col("_best"),
            split_rule=pl.col("_rule"),
            split_candidates=pl.concat_list([pl.col(f"_c{k}") for k in range(MAX_CANDIDATES)]).list.drop_nulls(),
            _margin=pl.col("_margin").cast(pl.Int32),
        )
    )


def _group_absorbs_candidate(shape: pl.Expr, best: pl.Expr) -> pl.Expr:
    """The chosen first author is a group name and another candidate split lies inside
    it (``RL NLPLHCb Collaboration`` read as ``R`` + ``L NLPLHCb Collaboration``): a
    group name takes any words before its keyword, so which capital starts it is a guess."""
    first = first_author_of(shape, best)
    end = best + first.str.len_chars().cast(pl.Int64)
    inside = pl.any_horizontal(
        [(pl.col(f"_c{k}") > best) & (pl.col(f"_c{k}") <= end) for k in range(MAX_CANDIDATES)]
    ).fill_null(False)
    # the group keyword test expects single spaces, as the parsed author will have
    is_group = first.str.replace_all(r"\s+", " ").str.contains(group_name_pattern())
    return (inside & is_group).fill_null(False)


def _shape_non_ascii(lines: pl.Series) -> pl.Series:
    """The ASCII shape of every line, computed only for the lines that are not ASCII
    already (an ASCII line is its own shape).  Vectorised over the batch: a mask, one
    shape pass over the selected lines, a scatter back; no Python per line."""
    lines = lines.rename("line")
    mask = (lines.str.len_bytes() != lines.str.len_chars()).fill_null(False)
    if not mask.any():
        return lines
    shaped = lines.filter(mask).to_frame().select(shape_of(pl.col("line"))).to_series()
    return lines.scatter(mask.arg_true(), shaped)


def _blank_shape_non_ascii(lines: pl.Series) -> pl.Series:
    """A cheaper shape that is enough to take a tail apart: blanks, the middle dot and
    ``’`` as in :func:`transforms.grammar.shape_of`, every other non-ASCII character as
    ``\x03`` (letters need no class there), one character for one."""
    lines = lines.rename("line")
    mask = (lines.str.len_bytes() != lines.str.len_chars()).fill_null(False)
    if not mask.any():
        return lines
    literal = (*NON_ASCII_SPACES, "’", "·")
    replacement = (" ",) * len(NON_ASCII_SPACES) + ("\x02", "\x01")
    shaped = (
        lines.filter(mask)
        .str.replace_many(list(literal), list(replacement))
        .str.replace_all(r"[^\x00-\x7f]", "\x03")
    )
    return lines.scatter(mask.arg_true(), shaped)


def _fallback(staged: pl.LazyFrame) -> pl.LazyFrame:
    """Columns ``_fb0..`` for lines neither grammar can split: the first tier of
    :func:`transforms.grammar.fallback_split_patterns` that finds anything (a loosely
    name-shaped first author, then also after a hyphen or apostrophe, then any glued capital)."""
    tiers = fallback_split_patterns()
    for i, pattern in enumerate(tiers):
        todo = pl.col("_nothing") if i == 0 else pl.col("_nothing") & pl.col("_fb0").is_null()
        staged = _candidates(staged, pl.when(todo).then(pl.col("_shape")).otherwise(pl.lit("")), pattern, "_tier")
        if i == 0:
            staged = staged.rename({f"_tier{k}": f"_fb{k}" for k in range(MAX_CANDIDATES)})
        else:
            staged = staged.with_columns(
                pl.when(pl.col("_fb0").is_null()).then(pl.col(f"_tier{k}")).otherwise(pl.col(f"_fb{k}")).alias(f"_fb{k}")
                for k in range(MAX_CANDIDATES)
            ).drop([f"_tier{k}" for k in range(MAX_CANDIDATES)])
    return staged


def _candidates(
    frame: pl.LazyFrame, shape: pl.Expr, pattern: str, prefix: str, first: str | None = None
) -> pl.LazyFrame:
    """Add the leftmost match of ``pattern`` and up to MAX_CANDIDATES - 1 more to its right,
    as columns ``{prefix}0..``: each search runs on the text after the previous match
    (one column per step, so the plan stays linear in MAX_CANDIDATES)."""
    if first is None:  # else column ``first`` already holds the leftmost match
        frame = frame.with_columns(shape.str.find(pattern).cast(pl.Int64).alias(f"{prefix}0"))
    for k in range(1, MAX_CANDIDATES):
        previous = pl.col(f"{prefix}{k - 1}")
        rest = shape.str.slice(previous + 1)
        # most author lists have no glued capital at all: search only those that do
        searched = pl.when(rest.str.contains(_GLUED_CAPITAL)).then(rest).otherwise(pl.lit(""))
        frame = frame.with_columns((previous + 1 + searched.str.find(pattern).cast(pl.Int64)).alias(f"{prefix}{k}"))
    return frame


def _in_run(shape: pl.Expr, k: int) -> pl.Expr:
    """Candidate ``k`` lies in the capital run right after candidate 0 (``A|GN|R``)."""
    several = pl.col(f"_c{k}").is_not_null()
    moved = pl.when(several).then(shape).otherwise(pl.lit("")).str.slice(pl.col("_c0") + 1, pl.col(f"_c{k}") - pl.col("_c0"))
    return several & moved.str.contains(_CAPITAL_RUN)


def _rank(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``_best`` (chosen offset), ``_ranked`` (several candidates in one capital run)
    and ``_margin`` (best score minus the runner-up's).

    Only candidates in the capital run after the leftmost one compete; ties go to the
    leftmost.  Rows with one candidate feed empty strings to the scoring regexes.
    Each step is its own column so that no expression is repeated in the plan.
    """
    shape = pl.col("_shape")
    frame = frame.with_columns(
        [pl.lit(True).alias("_run0")] + [_in_run(shape, k).alias(f"_run{k}") for k in range(1, MAX_CANDIDATES)]
    ).with_columns(_ranked=pl.any_horizontal([f"_run{k}" for k in range(1, MAX_CANDIDATES)]))
    frame = frame.with_columns(_text=pl.when(pl.col("_ranked")).then(shape).otherwise(pl.lit("")))
    text = pl.col("_text")
    frame = frame.with_columns(
        [text.str.slice(0, pl.col(f"_c{k}") + 1).alias(f"_title{k}") for k in range(MAX_CANDIDATES)]
        + [text.str.slice(pl.col(f"_c{k}") + 1).str.extract(r"^(\S+)").alias(f"_head{k}") for k in range(MAX_CANDIDATES)]
        + [text.str.slice(pl.col(f"_c{k}") + 1).str.extract(r"^([^,]*)").str.contains(group_name_pattern())
           .fill_null(False).alias(f"_group{k}") for k in range(MAX_CANDIDATES)]
    )
    scores = []
    for k in range(MAX_CANDIDATES):
        at = pl.col(f"_c{k}")
        title, head = pl.col(f"_title{k}"), pl.col(f"_head{k}")
        score = (
            # a lone letter starts a person (``R E Mason``), not a group (``G Bench Authors``)
            pl.when(pl.col(f"_group{k}") & head.str.contains(_LONE_LETTER)).then(0)
            .when(head.str.contains(_NAMELIKE_HEAD)).then(2)
            .when(head.is_in(KNOWN_CAPS_GIVEN) | head.is_in(KNOWN_TITLE_ENDINGS)).then(1)
            .otherwise(0)
            + pl.when(title.str.extract(r"([A-Za-z0-9]+)$").is_in(KNOWN_TITLE_ENDINGS).fill_null(False)).then(1)
            .when(title.str.contains(_WORD_THEN_CAPITALS).fill_null(False)).then(-WORD_THEN_CAPITALS_PENALTY)
            .when(title.str.contains(_GLUED_LONE_CAPITAL).fill_null(False)).then(-GLUED_LONE_CAPITAL_PENALTY)
            .otherwise(0)
        )
        scores.append(pl.when(pl.col(f"_run{k}") & at.is_not_null()).then(score).alias(f"_s{k}"))
    s_cols = [pl.col(f"_s{k}") for k in range(MAX_CANDIDATES)]
    frame = frame.with_columns(scores).with_columns(_top=pl.max_horizontal(s_cols))
    frame = frame.with_columns(
        _choice=pl.coalesce([pl.when(s == pl.col("_top")).then(pl.col(f"_c{k}")) for k, s in enumerate(s_cols)]
                            + [pl.col("_c0")])
    )
    runner_up = pl.max_horizontal([pl.when(pl.col(f"_c{k}") != pl.col("_choice")).then(s) for k, s in enumerate(s_cols)])
    return frame.with_columns(
        _best=pl.when(pl.col("_ranked")).then(pl.col("_choice")).otherwise(pl.col("_c0")),
        _margin=(pl.col("_top") - runner_up).fill_null(0),
    ).drop(["_text", "_top", "_choice"] + [f"_{c}{k}" for c in ("s", "title", "head", "group") for k in range(MAX_CANDIDATES)]
           + [f"_run{k}" for k in range(MAX_CANDIDATES)])


def first_author_of(shape: pl.Expr, split_at: pl.Expr) -> pl.Expr:
    """The first author's text in the shape: after ``split_at``, up to the first comma,
    without surrounding blanks (trailing spaces on a line must not change a verdict)."""
    rest = shape.str.slice(split_at + 1)
    return rest.str.slice(0, pl.coalesce([rest.str.find(",", literal=True), rest.str.len_chars()])).str.strip_chars()


def _capped(first: pl.Expr) -> pl.Expr:
    """The first author (in the shape) is one word that is not a group (``Mausam``,
    ``Hone``), or ends in a CamelCase surname no prefix explains (``J. ZuHone``): a title
    word glued to a one-word author reads the same, so such splits stay below CONFIDENT."""
    single_word = first.str.contains(_SINGLE_WORD_FIRST) & ~first.str.contains(group_name_pattern())
    surname = first.str.strip_chars().str.extract(r"(\S+)$")
    camel = surname.str.contains(_CAMEL) & ~surname.str.contains(_PREFIXED)
    return (single_word | camel).fill_null(False)


def _might_be_capped(first: pl.Series) -> pl.Series:
    """Cheap pre-check for :func:`_capped` (literal tests and one small ASCII pattern)."""
    no_space = ~first.str.contains(" ", literal=True) & ~first.str.contains(".", literal=True)
    return (no_space | first.str.contains(r"[a-z\x05][A-Z][a-z]")).fill_null(False)


def _confidence(capped: pl.Expr, several: pl.Expr | None = None) -> pl.Expr:
    """Confidence from the rule, the candidates and the ranking margin (columns ``_rule``,
    ``_ranked``, ``_margin``, ``_no_capital``, ``_group_inner``), capped for the first authors of :func:`_capped`."""
    single_word = capped
    ranked = pl.min_horizontal(
        pl.lit(CONFIDENCE_RANKED_BASE) + CONFIDENCE_MARGIN_STEP * pl.col("_margin").cast(pl.Float64),
        pl.lit(CONFIDENCE_RANKED_MAX),
    )
    several = pl.col("_c1").is_not_null() if several is None else several
    return (
        pl.when(pl.col("_rule").is_null()).then(pl.lit(None, dtype=pl.Float64))
        .when(pl.col("_rule") == RULE_STRICT)
        .then(pl.when(pl.col("_ranked")).then(ranked)
              .when(single_word.fill_null(False)).then(CONFIDENCE_SINGLE_WORD)
              .when(pl.col("_group_inner")).then(CONFIDENCE_RANKED_MAX)
              .when(several).then(CONFIDENCE_STRICT_REMOTE)
              .otherwise(CONFIDENCE_STRICT_UNIQUE))
        .when(pl.col("_rule") == RULE_LOOSE)
        .then(pl.when(pl.col("_ranked")).then(CONFIDENCE_LOOSE_AMBIGUOUS).otherwise(CONFIDENCE_LOOSE))
        .when(pl.col("_no_capital")).then(CONFIDENCE_NO_SPLIT)
        .otherwise(CONFIDENCE_FALLBACK)
        .cast(pl.Float64)
    )


def with_tail(frame: pl.LazyFrame, line: str, shape: pl.Expr, split_at: str, out: str = "s") -> pl.LazyFrame:
    """Add ``out``: Struct{authors, et_al, orgs} of the text of column ``line`` after
    column ``split_at``.

    Positions are found in the ASCII shape (fast), text is sliced from the line; each
    position is its own column so no search is repeated in the plan.  Connector phrases
    become list separators (``X for the Y Collaboration`` -> ``X, the Y Collaboration``)
    so the person and the group are two authors.
    """
    text, at = pl.col(line), pl.col(split_at)
    frame = frame.with_columns(
        _t_shape=shape,
        # the middle dot before organisations is not ASCII: ASCII lines skip that search
        _t_maybe_orgs=text.str.len_bytes() != text.str.len_chars(),
    ).with_columns(
        _t_len=pl.col("_t_shape").str.len_chars().cast(pl.Int64),
        _t_orgs=pl.when(pl.col("_t_maybe_orgs")).then(pl.col("_t_shape")).otherwise(pl.lit(""))
        .str.slice(at + 1).str.find(_ORGS_MARK).cast(pl.Int64) + at + 1,
    ).with_columns(
        _t_head_end=pl.coalesce(["_t_orgs", "_t_len"]),
        # ``et al.`` ends the author list: searched in the whole line (no copy) unless organisations follow
        _t_et_al=pl.when(pl.col("_t_orgs").is_null()).then(pl.col("_t_shape").str.find(_ET_AL))
        .otherwise(pl.col("_t_shape").str.slice(0, pl.col("_t_orgs")).str.find(_ET_AL))
        .cast(pl.Int64),
    ).with_columns(
        _t_et_al=pl.when(pl.col("_t_et_al") > at).then(pl.col("_t_et_al")),
    ).with_columns(
        _t_authors=text.str.slice(at + 1, pl.coalesce(["_t_et_al", "_t_head_end"]) - at - 1),
    ).with_columns(
        # a literal pre-check (cheap) before the regex; the regex checks the spacing (runs, NBSP)
        _t_connector=pl.col("_t_authors").str.contains("for", literal=True)
        | pl.col("_t_authors").str.contains("behalf", literal=True),
    )
    authors = pl.when(pl.col("_t_connector")).then(
        pl.when(pl.col("_t_connector")).then(pl.col("_t_authors")).otherwise(pl.lit("")).str.replace_all(_CONNECTOR, ", ")
    ).otherwise(pl.col("_t_authors"))
    et_al = pl.when(pl.col("_t_et_al").is_not_null()).then(
        text.str.slice(pl.col("_t_et_al"), pl.col("_t_head_end") - pl.col("_t_et_al"))
    )
    orgs = pl.when(pl.col("_t_orgs").is_not_null()).then(
        text.str.slice(pl.col("_t_orgs")).str.replace(r"^[\p{Zs}\t]+·[\p{Zs}\t]+", "").str.strip_chars()
    )
    return frame.with_columns(pl.struct(authors=authors, et_al=et_al, orgs=orgs).alias(out)).drop(
        "_t_shape", "_t_maybe_orgs", "_t_len", "_t_orgs", "_t_head_end", "_t_et_al", "_t_authors", "_t_connector"
    )


def split_author_list(expr: pl.Expr) -> pl.Expr:
    """Split an author list on ", " -- except the comma of a suffix (``Stanley, Jr.``) --
    into cleaned, non-empty names (empty list for null)."""
    protected = expr.fill_null("").str.replace_all(_SUFFIX, "\x1f$1$2")
    return (
        protected.str.split(", ")
        .list.eval(clean_text(pl.element().str.replace_all("\x1f", ", ", literal=True)))
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def title_of(line: pl.Expr, split_at: pl.Expr) -> pl.Expr:
    """The cleaned title: the line up to and including ``split_at``."""
    return clean_long_text(line.str.slice(0, split_at + 1))


# --------------------------------------------------------------------------- #
# Phase 2: global
# --------------------------------------------------------------------------- #

def confident_names(entries: pl.LazyFrame) -> pl.LazyFrame:
    """Author names of confident splits (column ``name``): the corpus evidence."""
    return (
        entries.filter(pl.col("split_confidence") >= CONFIDENT)
        .select(pl.col("authors").alias("name"))
        .explode("name")
        .drop_nulls()
        .unique()
    )


def resolve_splits(
    entries: pl.LazyFrame, split_overrides: pl.DataFrame | None, key: Sequence[str] = ENTRY_KEY
) -> pl.LazyFrame:
    """:func:`choose_splits` with the corpus taken from ``entries`` themselves: the hook
    the ingest calls once, over all entries, after parsing."""
    return choose_splits(entries, confident_names(entries), split_overrides, key)


def choose_splits(
    entries: pl.LazyFrame,
    corpus_names: pl.LazyFrame,
    split_overrides: pl.DataFrame | None,
    key: Sequence[str] = ENTRY_KEY,
) -> pl.LazyFrame:
    """Global, run after every source is parsed: for rows whose split is ambiguous (several
    candidates, not confident) or overridden, pick the split whose authors are seen
    elsewhere in the corpus (``corpus_names``: names from confident splits, column
    ``name``), or the override; return the rows with title/authors/split_rule/
    split_confidence updated (split_rule 'corpus' or 'override' where they decided).

    Uncertain rows are re-split from their parsed fields (title + authors), so the
    parse cache needs no extra columns; only those rows are touched.  ``key`` names the
    columns that identify an entry (``source_file, source_line``; the ingest may use its
    own source number instead of the file).
    """
    columns = entries.collect_schema().names()
    # rows are identified by where they come from (not a row index: the plan may
    # evaluate ``entries`` more than once, and its row order is not guaranteed)
    indexed = entries
    key = list(key)
    decided = _corpus_decisions(indexed, corpus_names, key)
    if split_overrides is not None and split_overrides.height:
        overridden = _override_decisions(indexed, split_overrides, key)
        decided = pl.concat([decided.join(overridden.select(*key), on=key, how="anti"), overridden])
    return (
        indexed.join(decided, on=key, how="left", suffix="_new")
        .with_columns(
            pl.coalesce(f"{c}_new", c).alias(c)
            for c in ("title", "authors", "split_rule", "split_confidence")
        )
        .select(columns)
    )


def _reconstructed_line() -> pl.Expr:
    return pl.concat_str([pl.col("title"), pl.col("authors").list.join(", ")])


def _corpus_decisions(indexed: pl.LazyFrame, corpus_names: pl.LazyFrame, key: list[str]) -> pl.LazyFrame:
    """(source_file, source_line, title, authors, split_rule, split_confidence) where corpus evidence decides."""
    uncertain = (
        indexed.filter(pl.col("split_confidence") < CONFIDENT)
        .select(*key, title_line=_reconstructed_line())
        .pipe(split_title_lines)
        .filter(pl.col("split_candidates").list.len() > 1)
        .select(*key, "title_line", "split_at", "split_rule", pl.col("split_candidates").alias("at"))
        .explode("at")
        # strict splits compete only inside the capital run at their boundary, as in the
        # ranking: a candidate that cuts into an author (``approachL.`` + ``C.Martin``) would
        # win on any namesake of the shorter name
        .filter(
            (pl.col("split_rule") != RULE_STRICT)
            | (pl.col("at") == pl.col("split_at"))
            | pl.col("title_line").str.slice(
                pl.min_horizontal("at", "split_at") + 1, (pl.col("at") - pl.col("split_at")).abs()
            ).str.contains(_CAPITAL_RUN)
        )
        .drop("split_at", "split_rule")
    )
    known = corpus_names.select(_key=name_key(pl.col("name"))).unique().with_columns(_known=pl.lit(1))
    candidates = uncertain.with_columns(
        title=title_of(pl.col("title_line"), pl.col("at")),
        authors=split_author_list(
            pl.col("title_line").str.slice(pl.col("at") + 1).str.replace_all(_CONNECTOR, ", ")
        ),
    )
    votes = (
        candidates.select(*key, "at", pl.col("authors").alias("_name"))
        .explode("_name")
        .drop_nulls("_name")
        .with_columns(_key=name_key(pl.col("_name")))
        .join(known, on="_key", how="left")
        .group_by(*key, "at")
        .agg(pl.col("_known").sum().alias("_votes"))
    )
    best = (
        votes.with_columns(
            _top=pl.col("_votes").max().over(key),
            _n_top=(pl.col("_votes") == pl.col("_votes").max()).sum().over(key),
        )
        .filter((pl.col("_votes") == pl.col("_top")) & (pl.col("_top") > 0) & (pl.col("_n_top") == 1))
        .select(*key, "at")
    )
    return candidates.join(best, on=[*key, "at"], how="inner").select(
        *key, "title", "authors",
        pl.lit(RULE_CORPUS).alias("split_rule"),
        pl.lit(CONFIDENCE_CORPUS, dtype=pl.Float64).alias("split_confidence"),
    )


def override_key(title: pl.Expr, authors: pl.Expr) -> pl.Expr:
    """What identifies a title line among parsed entries: its default title and authors."""
    return pl.concat_str([title, authors.list.join("\x1f")], separator="\x1e")


def _override_decisions(indexed: pl.LazyFrame, overrides: pl.DataFrame, key: list[str]) -> pl.LazyFrame:
    """(source_file, source_line, title, authors, split_rule, split_confidence) for every entry whose title line
    an override names; raises SplitOverrideError for a line never observed or a title
    that does not start its line."""
    lines = overrides.select(
        pl.col("title_line").str.strip_chars(),
        pl.col("title").str.strip_chars().alias("_fixed_title"),
        pl.col("authors").str.strip_chars().alias("_fixed_authors") if "authors" in overrides.columns
        else pl.lit(None, dtype=pl.String).alias("_fixed_authors"),
    )
    bad = lines.filter(~pl.col("title_line").str.starts_with(pl.col("_fixed_title")))
    if bad.height:
        raise SplitOverrideError(
            f"split override title is not the start of its title line: {bad['title_line'][0]!r}"
        )
    default = (
        split_title_lines(lines.lazy())
        .with_columns(
            _key=override_key(
                title_of(pl.col("title_line"), pl.col("split_at")),
                split_author_list(pl.col("s").struct.field("authors")),
            ),
            _at=pl.col("_fixed_title").str.len_chars().cast(pl.Int64) - 1,
        )
        .pipe(with_tail, "title_line", shape_of(pl.col("title_line")), "_at", out="_tail")
        .select(
            "title_line", "_key",
            title_of(pl.col("title_line"), pl.col("_at")).alias("title"),
            pl.when(pl.col("_fixed_authors").fill_null("") != "")
            .then(split_author_list(pl.col("_fixed_authors")))
            .otherwise(split_author_list(pl.col("_tail").struct.field("authors")))
            .alias("authors"),
        )
        .collect()
    )
    observed = indexed.select(*key, _key=override_key(pl.col("title"), pl.col("authors")))
    matched = observed.join(default.lazy(), on="_key", how="inner").collect()
    unknown = default.join(matched.select("_key").unique(), on="_key", how="anti")
    if unknown.height:
        raise SplitOverrideError(f"split override names a title line never observed: {unknown['title_line'][0]!r}")
    return matched.lazy().select(
        *key, "title", "authors",
        pl.lit(RULE_OVERRIDE).alias("split_rule"),
        pl.lit(CONFIDENCE_OVERRIDE, dtype=pl.Float64).alias("split_confidence"),
    )
