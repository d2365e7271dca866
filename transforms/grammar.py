"""Regular grammars for the listing format, written once and compiled by Polars.

The title and the author list are glued together with no separator, so the
split point is found by grammar, not by a delimiter: the title ends at the
*leftmost* glued capital (a capital whose previous character is not a space,
a hyphen or an apostrophe -- ``O'Neill`` never splits before ``Neill``) from
which the rest of the line is a well-formed author list.  A
lazy ``.*?`` title under an anchored pattern gives exactly that with Rust's
leftmost-first regex semantics, in linear time and without backtracking.

The person-name grammar is strict on purpose: a token is a capitalised word
(``Théophane``), a word with a known internal-capital prefix (``McAleese``,
``O'Donoghue``, ``LeCun``), a hyphenated word (``Jean-Bastien``), an initial
(``J.``, ``J.-P.``, ``L``), a short all-capitals given name (``DJ``), or a
lowercase particle (``van``, ``de``, ``d'Ascoli``).  CamelCase like ``AutoML``
or ``VAEs`` is *not* a name token, which is what stops ``Neural AutoMLCatherine
Wong`` from splitting inside ``AutoML``.  Group authors (``Gemini Team``,
``Imagen-Team-Google``) need a group keyword, which lets them contain tokens a
person cannot (all-capitals, digits, single letters); CamelCase is allowed in
a group only for listed words (``DeepMind``), and a few keyword-less
organisations (``OpenAI``, ``DeepSeek-AI``) are listed, because any general
token with an internal capital can glue onto the title's last word.  The one
split no grammar can make is a title ending in a capital glued to an
all-capitals given name: ``Deep RLDJ Strouse`` is ``RL`` + ``DJ`` to a reader
who knows the name, but ``R`` + ``LDJ`` is as well-formed, and the leftmost
rule takes it.  When the strict grammar finds no split, a looser one (any
capitalised tokens, CamelCase allowed) is tried and the record is marked
``split_rule = 'loose'`` so the guess is visible.

Real arXiv author strings (astro-ph, math, q-fin especially) add shapes the
person grammar accepts on purpose: initials glued to the surname
(``V.Schaffenroth``, ``Yuri N.Kartashov``, ``L.C.Martin``, ``H-Y.Yang``), an
internal-capital surname after a given name (``J. ZuHone``, ``Don VandenBerg``:
only in the surname slot, never as the first token, so ``AutoMLCatherine`` still
does not split inside ``AutoML``), initials written ``J .S.``, ``S. C. -C.``,
``JJ.``, ``V.N`` and ``R E``, more particles (``ur``: ``Syed Faisal ur Rahman``),
and collaboration phrases (``Luca Baldini for the Fermi LAT Collaboration``,
``Marilena Spavone on behalf of the VEGAS team``, ``CRESST collaboration``,
``The PLAsTiCC team``).  Several of these make *more than one* split point
well-formed (``AGNR E Mason`` is ``AGN`` + ``R E Mason`` or ``AG`` + ``NR E
Mason``); transforms/split.py enumerates every such point and ranks them.
"""

from __future__ import annotations

UPPER = r"[\p{Lu}\p{Lt}]"
LOWER = r"[\p{Ll}\p{M}]"
APOS = r"['’]"
#: Space inside a name or list: pages bring runs of spaces and no-break spaces
#: (``Xi\u00a0Chen``); clean_text() collapses them afterwards.
SP = r"[\p{Zs}\t]+"
#: After the comma between two authors the first character must be a plain
#: space, because parse.py splits the list on ``", "``; more blanks may follow.
SEP = r", [\p{Zs}\t]*"

MONTHS = r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"

#: Words that make a name a group author rather than a person.
GROUP_KEYWORDS = (
    "Team", "Collaboration", "Consortium", "Group", "Project", "Initiative",
    "Contributors", "Community", "Committee", "Authors", "Lab", "Labs",
    "Organization", "Organisation", "Network", "Society", "Alliance", "Workshop",
    "Collaborations",
)
#: Keywords also accepted in lower case (``CRESST collaboration``, ``the VEGAS team``).
LOWERCASE_GROUP_KEYWORDS = ("team", "collaboration", "collaborations", "consortium")
#: Phrases that attach a group to a person's name (``Luca Baldini for the Fermi LAT
#: Collaboration``); split.py turns them into a list separator.
GROUP_CONNECTORS = ("for", "on behalf of")

PARTICLES = (
    "van", "von", "der", "den", "de", "del", "della", "dei", "degli", "des",
    "di", "da", "do", "dos", "das", "du", "la", "le", "lo", "ter", "ten", "te",
    "bin", "ibn", "bint", "al", "el", "y", "zu", "zum", "vom", "af", "av", "e",
    "st", "san", "mac", "las", "los", "les", "dal", "dalla", "delle", "dello",
    "op", "het", "am", "auf", "ben", "abu",
    "ur", "ul", "beim", "zur",  # Syed Faisal ur Rahman, Zia ul Haq, Peter beim Graben
)

NAME_PREFIXES = (
    "Mc", "Mac", "De", "Di", "Da", "Das", "Du", "Le", "La", "Van", "Vander", "Vanden", "Von", "Fitz", "St",
    "Al", "El",  # AlQuraishi, ElSayed
)

#: Single-token organisation authors with internal capitals (no group keyword).
#: CamelCase is not a name token in general (``Scaling Laws for WaveNet
#: ModelsGemini Team`` would otherwise split inside ``WaveNet``), so these are
#: listed; everything else needs a group keyword.
ORG_AUTHORS = ("OpenAI", "DeepSeek-AI", "MiniMax", "NVIDIA", "Meta AI", "Mistral AI", "Qwen")

#: CamelCase words accepted inside a group name (``Google DeepMind Team``),
#: for the same reason: a general CamelCase token would glue onto the title.
GROUP_CAMEL_WORDS = (
    "DeepMind", "OpenAI", "DeepSeek", "BigScience", "BigCode", "InternLM", "MiniCPM",
    "AlphaFold", "AlphaProof", "AlphaGeometry", "IceCube", "BaBar", "KM3NeT", "LLaMA",
    "PaLM", "MiniMax", "HuggingFace",
)


def _alt(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


def _word() -> str:
    """A capitalised name word, optionally hyphenated: ``Jean-Bastien``, ``Banki-Horvath``."""
    part = rf"{UPPER}{LOWER}+"
    prefixed = rf"{_alt(NAME_PREFIXES)}{UPPER}{LOWER}+"
    # O'Donoghue, D'Amour; and romanised Japanese syllable breaks: Jun'ichi, Shin'ya
    apostrophe = rf"{UPPER}{LOWER}*{APOS}(?:{UPPER}{LOWER}+|{LOWER}{{2,}})"
    letter_hyphen = rf"{UPPER}-{UPPER}{LOWER}*"  # Y-Lan Boureau, J-P Vert
    head = rf"(?:{prefixed}|{apostrophe}|{letter_hyphen}|{part})"
    tail = rf"(?:-(?:{prefixed}|{apostrophe}|{UPPER}{LOWER}+|{LOWER}+))*"
    return head + tail


def _dotted() -> str:
    """Dotted initials: ``J.``, ``J.-P.``, ``S.M.``, ``Th.``, ``Yu.``, ``H-Y.``."""
    one = rf"{UPPER}{LOWER}?\."
    return rf"(?:{UPPER}-{UPPER}\.|{one}(?:-?{one})*)"


def _initial() -> str:
    """An initial as a whole token: dotted (``J.``, ``S.M.``), a bare letter
    (``Samuel L Smith``, ``R E Mason``), two capitals with a dot (``JJ. Kavelaars``)
    or dotted letters missing the last dot (``Addepalli V.N Krishna``)."""
    return rf"(?:{_dotted()}|{UPPER}{UPPER}\.|(?:{UPPER}\.)+{UPPER}|{UPPER})"


def _glued_initials() -> str:
    """Initials glued to the next name word: ``V.Schaffenroth``, ``L.C.Martin``, ``S.Eswara``."""
    return rf"{_dotted()}{_word()}"


def _camel_surname() -> str:
    """A surname with an internal capital that no prefix list covers: ``ZuHone``,
    ``TerHaar``.  Only accepted in the surname slot after a given name (as a first
    token it would glue onto the title: ``AutoMLCatherine``), and only with a short
    first part (two or three letters), because a title word glued to a one-word author
    looks the same (``AlphaCode LawsMausam`` is not ``Alpha`` + ``Code LawsMausam``).
    Longer prefixes are listed (``Vanden``: ``Don VandenBerg``).  A title ending in a
    two- or three-letter word before a one-word author (``... Need MapMausam``) is still
    read as a CamelCase surname: split.py gives such splits less than CONFIDENT."""
    return rf"{UPPER}{LOWER}{{1,2}}{UPPER}{LOWER}+"


def _glued_particle() -> str:
    """``d'Ascoli``, ``dell'Amico``: a particle glued to a surname by an apostrophe;
    or Irish h-prothesis glued without one (``Seán Ó hÉigeartaigh``)."""
    apostrophe = rf"(?:d|l|dell|dall|degl){APOS}{UPPER}{LOWER}+(?:-{UPPER}{LOWER}+)*"
    return rf"(?:{apostrophe}|h{UPPER}{LOWER}{{2,}})"


def _particle() -> str:
    return rf"(?:{_glued_particle()}|{_alt(PARTICLES)})"


def person_pattern(*, capital_first: bool = False) -> str:
    """One person's name: given names/initials/particles, then a surname word.

    ``capital_first`` forbids a leading lowercase particle: the first author on
    the line must start at the glued capital.
    """
    initial, particle = _initial(), _particle()
    # a name word, or initials glued to one (``V.Schaffenroth``): one alternative, so the
    # word pattern appears as few times as possible (pattern size is speed, see below)
    word = rf"(?:{_dotted()})?{_word()}"
    caps = rf"{UPPER}{{2,3}}"  # DJ Strouse, AJ Piergiovanni: only as a given name
    # odd initials seen in arXiv metadata, never first: ``J .S. Morgan``, ``S. C. -C. Ho``
    odd = rf"[.-]{_dotted()}"
    lead = rf"(?:{word}|{initial}|{caps}|{particle}|{odd})"
    # No CamelCase given name (``YoungJu Choie``), even after a comma: a title with a comma
    # and a CamelCase word glued to the author (``GANs, AlphaCodeThéophane Weber``) would
    # split at ``GA`` + ``Ns``.  Such lines need an override (README, split overrides).
    first = rf"(?:{word}|{initial}|{caps})" if capital_first else rf"(?:{word}|{initial}|{caps}|{particle})"
    # The surname may be all capitals (``Wei LIU``), a glued particle (``Stéphane
    # d'Ascoli``) or CamelCase (``J. ZuHone``) only after a given name: a bare ``AI``
    # or ``d'Ascoli`` is not a person, and accepting it split ``ReportOpenAI`` as
    # ``ReportOpen`` + ``AI``.
    last = rf"(?:{word}|{_glued_particle()}|{UPPER}{{2,}})"
    # a CamelCase surname needs a full given name or a dotted initial right before it:
    # after a bare letter it is a title's acronym and word glued to a one-word author
    # (``NLP LearningMausam`` is not ``NL`` + ``P LearningMausam``)
    camel = rf"(?:(?:{first}{SP})(?:{lead}{SP})*)?(?:{word}|{_dotted()}){SP}{_camel_surname()}"
    suffix = rf"(?:,?{SP}(?:Jr\.?|Sr\.?|II|III|IV))?"
    return rf"(?:(?:{first}{SP})(?:{lead}{SP})*{last}|{camel}|{word}){suffix}"


def group_pattern(*, capital_first: bool = False) -> str:
    """A group author: capitalised/CAPS/numeric tokens around a keyword, or a known org.

    No general CamelCase token: the group's first token is glued to the
    title's last word, so ``ModelsGemini`` would be a valid token and ``Scaling
    Laws for WaveNet ModelsGemini Team`` would split inside ``WaveNet``.  After an
    article (``The PLAsTiCC team``) the group's first token is ``The``, so mixed-case
    tokens are safe there.  ``capital_first`` forbids a leading lowercase ``the``
    (``..., the Virgo Collaboration`` is fine after a comma, but the first author
    starts at the glued capital).
    """
    token = rf"(?:{_alt(GROUP_CAMEL_WORDS)}|{UPPER}{LOWER}+|{UPPER}+{LOWER}?|[0-9]+)"
    mixed = rf"(?:{UPPER}[\p{{L}}\p{{M}}0-9]*|[0-9]+)"
    keyword = rf"(?:{_alt(GROUP_KEYWORDS)}|{_alt(LOWERCASE_GROUP_KEYWORDS)})"
    article = rf"The{SP}" if capital_first else rf"[Tt]he{SP}"
    gap = rf"(?:{SP}|-)"
    return (
        rf"(?:{article}(?:{mixed}{gap})*{keyword}(?:{gap}{mixed})*"
        rf"|(?:{token}{gap})*{keyword}(?:{gap}{token})*|{_alt(ORG_AUTHORS)})"
    )


def connector_pattern() -> str:
    """``for the``, ``on behalf of the``: joins a person and a group in one list item."""
    return rf"(?:{'|'.join(c.replace(' ', SP) for c in GROUP_CONNECTORS)}){SP}"


def loose_author_pattern() -> str:
    """Fallback author: space-separated tokens that each start with a capital."""
    token = rf"{UPPER}[\p{{L}}\p{{M}}{APOS}.\-]*"
    return rf"{token}(?:{SP}(?:{token}|{_particle()}))*"


def _line_pattern(first: str, author: str) -> str:
    slug = r"[\p{Ll}0-9][\p{Ll}\p{M}0-9._&+-]*"  # \p{M}: a decomposed ``eth-zürich``
    return (
        rf"^(?P<title>.*?[^\s'’-])"
        rf"(?P<authors>(?:{first})(?:{SEP}(?:{author}))*)"
        rf"(?P<et_al>,?{SP}et{SP}al\.?)?"
        rf"(?:{SP}·{SP}(?P<orgs>{slug}(?:,[\p{{Zs}}\t]*{slug})*))?\s*$"
    )


def _split_pattern(line_pattern: str) -> str:
    """The line pattern as a search for the split: it matches from the title's last
    character to the end of the line, and the leftmost match is the leftmost split."""
    body = line_pattern.removeprefix(r"^(?P<title>.*?")
    assert body != line_pattern and body.startswith("[^"), "line pattern changed shape"
    body = body.replace("])", "]", 1)  # the title group's closing parenthesis
    for group in ("authors", "et_al", "orgs"):
        body = body.replace(f"(?P<{group}>", "(?:")
    return body


# --- The same grammar over an ASCII "shape" of the line, for speed ----------------
#
# Rust's fast regex engines (lazy DFA) give up on patterns this large once their
# character classes are Unicode-wide, and the fallback costs ~60 µs a line.  The
# grammar only asks *what kind* of character stands where (capital, lowercase
# letter or mark, apostrophe, space, middle dot), so each line is first mapped,
# character for character, to an ASCII shape (``Théophane`` -> ``Thaophane``) and
# the pattern's classes are narrowed to match.  Lengths are kept, so an offset in
# the shape is the same character offset in the line.
_SHAPE_CLASSES = (
    (r"\p{Lu}", "A-Z"), (r"\p{Lt}", ""), (r"\p{Ll}", "a-z"), (r"\p{M}", "a-z"),
    (r"\p{L}", "A-Za-z\\x05"), (r"\p{Zs}", " "), ("’", "\\x02"), ("·", "\\x01"),
)


def to_shape_pattern(pattern: str) -> str:
    """Rewrite a Unicode grammar pattern for shape strings (see :func:`shape_of`)."""
    for unicode_class, ascii_class in _SHAPE_CLASSES:
        pattern = pattern.replace(unicode_class, ascii_class)
    return pattern


#: Non-ASCII space separators (Unicode category Zs): replaced literally in one
#: Aho-Corasick pass together with ``’`` and ``·`` (a ``\p{Zs}`` regex pass cost 4x more).
NON_ASCII_SPACES = ("\u00a0", "\u1680", *map(chr, range(0x2000, 0x200B)), "\u202f", "\u205f", "\u3000")


def shape_of(expr: "pl.Expr") -> "pl.Expr":
    """Map a line to its ASCII shape, one character for one character."""
    import polars as pl  # noqa: F401  (grammar.py is otherwise pattern text only)

    literal = (*NON_ASCII_SPACES, "’", "·")
    replacement = (" ",) * len(NON_ASCII_SPACES) + ("\x02", "\x01")
    return (
        expr.str.replace_many(list(literal), list(replacement))
        .str.replace_all(r"[[\p{Lu}\p{Lt}]&&[^A-Z]]", "A")
        .str.replace_all(r"[[\p{Ll}\p{M}]&&[^a-z]]", "a")
        .str.replace_all(r"[\p{L}&&[^A-Za-z]]", "\x05")
        .str.replace_all(r"[^\x00-\x7f]", "\x03")
    )


def strict_split_pattern() -> str:
    """Search pattern (over shapes) whose match starts at the title's last character."""
    return to_shape_pattern(_split_pattern(strict_line_pattern()))


def loose_split_pattern() -> str:
    return to_shape_pattern(_split_pattern(loose_line_pattern()))


def fallback_split_patterns() -> tuple[str, ...]:
    """Search patterns (over shapes) for lines neither grammar splits, tried in order:
    a glued capital starting a loosely name-shaped first author followed by a comma,
    ``et al.`` or the end (``Jean-Francois Dat, with an appendix by ...``); the same
    after a hyphen or apostrophe (``... Group-Hideaki Aoyama``); any glued capital."""
    author = loose_author_pattern()
    after = rf"(?:{SEP}|,?{SP}et{SP}al|\s*$)"
    return tuple(
        to_shape_pattern(p)
        for p in (rf"[^\s'’-](?:{author}){after}", rf"[^\s](?:{author}){after}", rf"[^\s]{UPPER}")
    )


def tail_pattern() -> str:
    """Split what follows the title into authors, ``et al.`` and organisations."""
    return (
        rf"^(?P<authors>.*?)(?P<et_al>{SP}et{SP}al\.?)?"
        rf"(?:{SP}·{SP}(?P<orgs>.*?))?\s*$"
    )


def strict_line_pattern() -> str:
    """Title + authors line, strict grammar (named groups: title, authors, et_al, orgs).

    A person may carry a group after a connector (``Luca Baldini for the Fermi LAT
    Collaboration``) and a later list item may start with one (``Timo Karg, for the
    IceCube Collaboration``).
    """
    connector, group = connector_pattern(), group_pattern()
    person = rf"(?:{person_pattern(capital_first=True)})(?:{SP}{connector}{group})?"
    later = rf"(?:{group}|(?:{person_pattern()})(?:{SP}{connector}{group})?|{connector}{group})"
    return _line_pattern(rf"(?:{group_pattern(capital_first=True)}|{person})", later)


def loose_line_pattern() -> str:
    """Title + authors line, loose fallback grammar."""
    return _line_pattern(loose_author_pattern(), loose_author_pattern())


def header_pattern() -> str:
    """Category code glued to the date and an optional ``Code`` badge.

    Named groups: code, month, day, year, badge.  A full month name or a
    trailing dot after the month is accepted (``Sept.``); the day and year are
    validated later, so ``Feb 30, 2020`` matches here and is rejected as a bad date.
    """
    code = r"(?P<code>[A-Za-z][A-Za-z.-]*?)"
    date = rf"(?P<month>{MONTHS})[a-z]*\.? ?(?P<day>[0-9]{{1,2}})(?:, ?(?P<year>[0-9]{{4}}))?"
    return rf"^{code}{date}(?P<badge> ?Code)?\s*$"


def group_name_pattern() -> str:
    """Matches a whole name that is a group author (used to set ``is_group``)."""
    keyword = rf"(?:{_alt(GROUP_KEYWORDS)}|{_alt(LOWERCASE_GROUP_KEYWORDS)})"
    return rf"(?:(?:^|[ -]){keyword}(?:$|[ -])|^{_alt(ORG_AUTHORS)}$)"
