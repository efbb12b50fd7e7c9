"""What changed between two versions of an assessment: answers and evidence notes per question.

Pure: it takes the question order and the two versions' answers and notes, and names each
question whose answer or note differs, in the questionnaire's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Change:
    question_id: str
    before: Any
    after: Any
    note_before: str
    note_after: str

    @property
    def answer_changed(self) -> bool:
        return _same(self.before) != _same(self.after)

    @property
    def note_changed(self) -> bool:
        return self.note_before != self.note_after


def _same(value: Any) -> Any:
    """Answers compared as sets where order carries no meaning (several choices)."""
    return tuple(sorted(value)) if isinstance(value, list) else value


def changes(
    order: Iterable[str],
    before_answers: Mapping[str, Any],
    after_answers: Mapping[str, Any],
    before_notes: Mapping[str, str],
    after_notes: Mapping[str, str],
) -> list[Change]:
    """The questions whose answer or note differs, in the given order; the rest follow sorted."""
    ids = list(dict.fromkeys(order))
    known = set(ids)
    rest = sorted(
        (set(before_answers) | set(after_answers) | set(before_notes) | set(after_notes)) - known
    )
    found = []
    for qid in [*ids, *rest]:
        change = Change(
            qid,
            before_answers.get(qid),
            after_answers.get(qid),
            (before_notes.get(qid) or "").strip(),
            (after_notes.get(qid) or "").strip(),
        )
        if change.answer_changed or change.note_changed:
            found.append(change)
    return found
