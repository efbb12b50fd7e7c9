"""Where a draft stands: each questionnaire page's status for the task list, and what comes next.

A page (one dimension) is
- completed: every question it shows that must be answered has an answer ("don't know" counts);
- in progress: some of its questions are answered, not yet all that must be;
- not started: nothing on it is answered;
- cannot start yet: it shows no question, because a routing answer it depends on is not given
  yet (the supplier's programme pages wait for the number of municipal partners);
- not needed: it shows no question, because the answers given route it away.

A page that shows nothing waits when none of the rules that keep its questions out is settled. A
rule is settled when every question it looks at is answered or on a settled page: a routing
question left blank is not given while its own page is not completed; once that page is, the
blank is the respondent's answer, as on the questionnaire's own pages, which then skip the pages
it routes away. The last row, check your answers and submit, can start once every page is
completed or not needed. The module imports no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core.questionnaire import Dimension, Question, Questionnaire
from app.core.scoring import Answers, is_shown, truth

COMPLETED = "completed"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
CANNOT_START_YET = "cannot_start_yet"
NOT_NEEDED = "not_needed"
# Statuses whose page can be opened from the task list.
STARTABLE = frozenset({COMPLETED, IN_PROGRESS, NOT_STARTED})
# Statuses that no longer keep a respondent from checking the answers and submitting.
SETTLED = frozenset({COMPLETED, NOT_NEEDED})


@dataclass(frozen=True)
class Section:
    """One page of the questionnaire as the task list shows it."""

    number: int  # the page's step number, from 1
    dimension: Dimension
    status: str
    decided_by: tuple[int, ...] = ()  # pages whose answers decide whether it is asked

    @property
    def startable(self) -> bool:
        """Whether the task list links to the page."""
        return self.status in STARTABLE


@dataclass(frozen=True)
class TaskList:
    """Every page's section in order, and the status of checking the answers and submitting."""

    sections: tuple[Section, ...]
    check_status: str  # NOT_STARTED once every section is settled, else CANNOT_START_YET

    @property
    def counted(self) -> tuple[Section, ...]:
        """The sections the respondent has to do: those not routed away."""
        return tuple(s for s in self.sections if s.status != NOT_NEEDED)

    @property
    def completed(self) -> int:
        """How many sections are completed."""
        return sum(s.status == COMPLETED for s in self.sections)

    @property
    def ready_to_check(self) -> bool:
        """Whether checking the answers and submitting can start."""
        return self.check_status != CANNOT_START_YET

    @property
    def next_section(self) -> Section | None:
        """The first section to go on with, or None when the answers are next."""
        return next((s for s in self.sections if s.status in (IN_PROGRESS, NOT_STARTED)), None)


def has_answer(answers: Answers, question_id: str) -> bool:
    """Whether a question has an answer stored (an empty text or choice is none)."""
    value = answers.get(question_id)
    return value is not None and value != "" and value != []


def routing_questions(rule: Any) -> set[str]:
    """The ids of the questions a show_if rule looks at."""
    found: set[str] = set()
    if isinstance(rule, dict):
        if isinstance(rule.get("question"), str):
            found.add(rule["question"])
        for value in rule.values():
            found |= routing_questions(value)
    elif isinstance(rule, list):
        for value in rule:
            found |= routing_questions(value)
    return found


def page_status(dimension: Dimension, answers: Answers, questionnaire: Questionnaire) -> str:
    """COMPLETED, IN_PROGRESS or NOT_STARTED for a page that shows questions, else NOT_NEEDED
    (task_list tells the pages that wait for a routing answer apart)."""
    shown = [q for q in dimension.questions if is_shown(q, answers, questionnaire)]
    if not shown:
        return NOT_NEEDED
    answered = [q for q in shown if has_answer(answers, q.id)]
    required = [q for q in shown if q.scored]
    if answered and all(has_answer(answers, q.id) for q in required):
        return COMPLETED
    return IN_PROGRESS if answered else NOT_STARTED


def task_list(questionnaire: Questionnaire, answers: Answers) -> TaskList:
    """Each page's status from the answers so far, in page order."""
    page_of = {
        q.id: number
        for number, d in enumerate(questionnaire.dimensions, start=1)
        for q in d.questions
    }
    statuses: dict[int, str] = {}

    def decided(rule: dict[str, Any]) -> bool:
        """Whether every question the rule looks at is answered or on a settled page.

        A blank routing answer is not given yet while its page (earlier, or this one) is not
        settled: what it decides is not known yet either.
        """
        return all(
            has_answer(answers, qid) or statuses.get(page_of[qid]) in SETTLED
            for qid in routing_questions(rule)
            if qid in page_of
        )

    def waits(question: Question, dimension: Dimension) -> bool:
        """Whether a question not shown may yet be: no rule keeps it out for certain."""
        failing = [
            rule
            for rule in (dimension.show_if, question.show_if)
            if rule is not None and truth(rule, answers, questionnaire) is not True
        ]
        return bool(failing) and not any(decided(rule) for rule in failing)

    sections = []
    for number, dimension in enumerate(questionnaire.dimensions, start=1):
        status = page_status(dimension, answers, questionnaire)
        if status == NOT_NEEDED and any(waits(q, dimension) for q in dimension.questions):
            status = CANNOT_START_YET
        statuses[number] = status
        rules = [dimension.show_if, *(q.show_if for q in dimension.questions)]
        routing = {
            page_of[qid] for rule in rules for qid in routing_questions(rule) if qid in page_of
        }
        sections.append(Section(number, dimension, status, tuple(sorted(routing - {number}))))
    settled = all(s.status in SETTLED for s in sections)
    return TaskList(tuple(sections), NOT_STARTED if settled else CANNOT_START_YET)
