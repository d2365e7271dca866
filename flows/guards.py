"""What a run refuses to believe: shrunken sources, pages that are not listings, format changes.

A source is only as good as the page it was captured from, and pages change
under us: a profile behind a login wall becomes one line of "please enable
JavaScript", a site redesign leaves no header a parser knows.  Taking such a
page at its word would empty the warehouse.  So after parsing and before
anything is published:

- a *known* source whose new parse holds only a small fraction of the records
  it held before is not believed: the run keeps its previous version (and says
  so), unless ``--accept-shrink``;
- a source with lines but no record at all is *quarantined*: every line of it is
  in ``rejects`` with its reason, nothing of it reaches the other tables, and the
  other sources publish;
- the run refuses to publish when (nearly) all of its newly read input is
  quarantined, or when more than ``--max-reject-share`` of the lines of the
  sources that did parse were rejected: then the format itself has changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flows.planning import PlannedSource
from warehouse.sources import SourceState

#: Below this share of its previous records, a re-read source is not believed.
SHRINK_KEEP_FRACTION = 0.25
#: ...provided it held at least this many before (a five-record page losing three is news, not a failure).
SHRINK_MIN_RECORDS = 5
#: The reject-share alarm needs at least this many newly read lines (two bad records of five is not a redesign).
REJECT_ALARM_MIN_LINES = 30
#: Refuse to publish when at least this share of the newly read lines is in quarantined sources.
QUARANTINE_ALARM_SHARE = 0.9


class FormatAlarm(RuntimeError):
    """Too much of the new input was rejected: the page format probably changed."""


class ShrinkRefused(RuntimeError):
    """A source shrank and its previous version cannot be kept."""


@dataclass
class GuardReport:
    kept: list[tuple[str, int, int]] = field(default_factory=list)  # (source, records before, records now)
    quarantined: list[str] = field(default_factory=list)


def _lines(state: SourceState) -> int:
    return 3 * (state.n_entries or 0) + (state.n_reject_lines or 0)


def guard(
    planned: list[PlannedSource], parsed: set[int], known: dict[str, SourceState], *,
    accept_shrink: bool, max_reject_share: float, keepable: set[str],
) -> tuple[list[PlannedSource], GuardReport]:
    """Apply the rules above to the sources parsed this run (indices ``parsed``).

    ``keepable``: sources whose previous parse is still cached (a shrunken source
    can only be kept when it is).
    """
    report = GuardReport()
    out = list(planned)
    kept: set[int] = set()
    for index in sorted(parsed):
        state = planned[index].state
        before = known.get(state.source_file)
        shrank = (
            before is not None and before.n_entries is not None and before.n_entries >= SHRINK_MIN_RECORDS
            and (state.n_entries or 0) < SHRINK_KEEP_FRACTION * before.n_entries
        )
        if shrank and not accept_shrink:
            assert before is not None and before.n_entries is not None
            if state.source_file not in keepable:
                raise ShrinkRefused(
                    f"{state.source_file} shrank from {before.n_entries:,} to {state.n_entries or 0:,} records and its "
                    "previous version is no longer cached; rerun with --accept-shrink to take the new content"
                )
            report.kept.append((state.source_file, before.n_entries, state.n_entries or 0))
            out[index] = replace(planned[index], state=before, status="unchanged")
            kept.add(index)
    new = [out[i].state for i in sorted(parsed - kept)]
    quarantined = [s for s in new if not s.n_entries and _lines(s) > 0]
    report.quarantined = [s.source_file for s in quarantined]
    new_lines = sum(_lines(s) for s in new)
    quarantined_lines = sum(_lines(s) for s in quarantined)
    if new_lines >= REJECT_ALARM_MIN_LINES and quarantined_lines >= QUARANTINE_ALARM_SHARE * new_lines:
        raise FormatAlarm(
            f"{quarantined_lines} of {new_lines} newly read lines are in sources with no listing record "
            f"({len(quarantined)} source(s)): the listing format may have changed; nothing was published"
        )
    listing = [s for s in new if s.n_entries]
    rejected = sum(s.n_reject_lines or 0 for s in listing)
    total = sum(_lines(s) for s in listing)
    if total >= REJECT_ALARM_MIN_LINES and rejected / total > max_reject_share:
        raise FormatAlarm(
            f"{rejected} of {total} newly read lines rejected ({rejected / total:.0%} > {max_reject_share:.0%}): "
            "the listing format may have changed; nothing was published "
            "(raise --max-reject-share to publish anyway)"
        )
    return out, report
