"""A programme over time: its parties, what their results share, and how each result moved.

A programme groups the sent assessments of an authority (questionnaire `kommune`) and its supplier
or suppliers (`leverandoer`). A party is one organisation in one role; its assessments, and the
versions of each, form its series, oldest first. Plain data in, plain data out: the views read
the fund's copy of each sending and pass the frozen results here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

AUTHORITY = "kommune"
SUPPLIER = "leverandoer"
NEW_PROGRAMME = "new"  # the filing choice that makes a new programme from the typed name


@dataclass(frozen=True)
class Entry:
    """One version of one sent assessment, as the fund has it."""

    sending_id: int
    role: str
    organisation: str
    sent_at: datetime
    version: int
    result: dict[str, Any]
    answers: dict[str, Any]


@dataclass(frozen=True)
class Party:
    """One organisation in one role, with its entries oldest first."""

    role: str
    organisation: str
    entries: tuple[Entry, ...]

    @property
    def latest(self) -> Entry:
        return self.entries[-1]

    @property
    def is_authority(self) -> bool:
        return self.role == AUTHORITY


def party_key(role: str, organisation: str) -> tuple[str, str]:
    """The same organisation however its name was spaced or capitalised, in one role."""
    return role, " ".join(organisation.split()).casefold()


def parties(entries: Iterable[Entry]) -> list[Party]:
    """The programme's parties: authorities first, then suppliers, each by name.

    A party's entries are ordered by when each sending was first sent, its versions by number.
    """
    grouped: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(party_key(entry.role, entry.organisation), []).append(entry)
    # A sending's versions stay together, in number order, at the date it was first sent.
    first_sent: dict[int, datetime] = {}
    for items in grouped.values():
        for e in items:
            first_sent[e.sending_id] = min(first_sent.get(e.sending_id, e.sent_at), e.sent_at)
    found = []
    for (role, name), items in grouped.items():
        items.sort(key=lambda e: (first_sent[e.sending_id], e.sending_id, e.version))
        found.append((role != AUTHORITY, name, Party(role, items[-1].organisation, tuple(items))))
    return [party for *_, party in sorted(found, key=lambda t: (t[0], t[1]))]


def pairs(found: list[Party]) -> list[tuple[Party, Party]]:
    """Each authority with each supplier, for comparing their latest answers."""
    authorities = [p for p in found if p.role == AUTHORITY]
    suppliers = [p for p in found if p.role == SUPPLIER]
    return [(a, s) for a in authorities for s in suppliers]


def scores(result: dict[str, Any]) -> dict[str, float | None]:
    """A result's score per dimension id, in the result's order."""
    return {d["id"]: d.get("score") for d in result.get("dimensions", [])}


def shared_dimensions(results: list[dict[str, Any]]) -> list[str]:
    """The dimension ids every result has, in the first result's order."""
    if not results:
        return []
    rest = [set(scores(r)) for r in results[1:]]
    return [d for d in scores(results[0]) if all(d in ids for ids in rest)]


def other_dimensions(results: list[dict[str, Any]]) -> list[list[str]]:
    """Per result, the dimension ids that not every result has (listed apart from the overlay)."""
    shared = set(shared_dimensions(results))
    return [[d for d in scores(r) if d not in shared] for r in results]


@dataclass(frozen=True)
class Change:
    """One dimension (or the overall score) before and after."""

    dimension: str
    before: float | None
    after: float | None

    @property
    def difference(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


OVERALL = "overall"


def change_between(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Per dimension of the later result, its score before and after; the overall score last.

    A dimension the earlier result lacks (a questionnaire changed) has no score before.
    """
    earlier = scores(before)
    rows = [Change(d, earlier.get(d), score) for d, score in scores(after).items()]
    return [*rows, Change(OVERALL, before.get("overall"), after.get("overall"))]


@dataclass(frozen=True)
class Step:
    """From one entry of a party to the next."""

    before: Entry
    after: Entry
    changes: list[Change]


def steps(party: Party) -> list[Step]:
    """The changes between a party's successive entries, oldest first."""
    entries = party.entries
    return [Step(a, b, change_between(a.result, b.result)) for a, b in pairwise(entries)]


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def matches(name: str, typed: str) -> bool:
    """Whether a programme's name and the name a respondent typed name the same programme."""
    a, b = _normalised(name), _normalised(typed)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return a == b or (len(shorter) >= 3 and shorter in longer)


def suggested_first(
    programmes: Iterable[tuple[int, str]], typed: str
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Programmes whose name matches the typed programme name, and the others, each by name."""
    ordered = sorted(programmes, key=lambda p: (_normalised(p[1]), p[0]))
    suggested = [p for p in ordered if matches(p[1], typed)]
    return suggested, [p for p in ordered if not matches(p[1], typed)]
