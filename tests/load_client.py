"""Simulated respondents over real HTTP: light enough to load two app servers from the same machine.

Each respondent is a browser without the browser: one keep-alive connection, its own cookies,
the CSRF token read from each form, and the Origin header a browser sends with a form. It starts
an assessment, answers every page it is led to (notes on some questions), saves and leaves on one
page, comes back through the secret link shown to the task list, goes on from there, and submits.

The flow is a generator that yields each request and receives its answer, so one flow serves
two drivers: `closed_loop` (every respondent at once, each as fast as answers come) and
`open_loop` (requests sent at a fixed arrival rate, whoever is ready next, latency counted from
the moment a request was due so that a slow server cannot hide its queue).

A request that meets a connection error, 502, 503 or 504 is sent again, a bounded number of
times: every attempt is recorded, so a report can tell a clean run from one that needed retries.

The client shares the servers' two cores, so what it spends is taken from what it measures, and
it spends as little as it can: one thread drives every connection of a run (`Loop`, a selector
over non-blocking sockets: a thread a respondent cost a wake-up and two hand-overs of the GIL a
request), tests/http_lite.py speaks HTTP, and what the database should hold is worked out when
asked for, after the run.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import os
import random
import re
import selectors
import statistics
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlsplit

from app.core.answers import clean_answer
from app.core.questionnaire import Question, Questionnaire
from app.core.scoring import is_shown
from app.i18n import SECTIONS
from tests import http_lite

RETRIED = {502, 503, 504}
ATTEMPTS = 6
TIMEOUT = 30.0  # seconds a connection may stay silent while an answer is awaited
# The open loop gives up when this many seconds' worth of requests wait for an answer.
BACKLOG_SECONDS = 5.0
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')  # fmt: skip
TOKEN_RE = re.compile(r"/([A-Za-z0-9_-]{43})/")
SECRET_LINK_RE = re.compile(r'<a href="https?://[^/"]+(/[^"]*/([A-Za-z0-9_-]{43}))">')
CONTINUE_RE = re.compile(r'<a class="button button-primary task-list-continue" href="(/[^"]+)">')
ROLES = ("kommune", "leverandoer")
# Lines of figures for the summary at the end of a pytest run (tests/conftest.py prints them).
REPORT: list[str] = []


class FlowError(AssertionError):
    """The site answered something a respondent could not go on from."""


@dataclass
class Attempt:
    kind: str  # what the request was, e.g. "step POST"
    status: int  # 0 for a connection error
    seconds: float  # from when the request was due to its answer
    ended: float  # time.monotonic() at the answer
    retry: bool  # this attempt repeated one that failed


@dataclass
class Recorder:
    """Every attempt, from every thread."""

    attempts: list[Attempt] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def __len__(self) -> int:
        return len(self.attempts)

    def statuses(self) -> Counter:
        return Counter(a.status for a in self.attempts)

    def server_errors(self) -> list[Attempt]:
        """Attempts answered 5xx, or cut off without an answer."""
        return [a for a in self.attempts if a.status >= 500 or a.status == 0]

    def summary(self, started: float, ended: float) -> dict[str, Any]:
        """Median and 99th-percentile latency (ms), the sustained rate, and the statuses."""
        times = sorted(a.seconds for a in self.attempts)
        if not times:
            return {"requests": 0}
        p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
        return {
            "requests": len(times),
            "seconds": round(ended - started, 2),
            "rate_per_s": round(len(times) / (ended - started), 1),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "p99_ms": round(p99 * 1000, 1),
            "max_ms": round(times[-1] * 1000, 1),
            "statuses": dict(sorted(self.statuses().items())),
            "retries": sum(a.retry for a in self.attempts),
            "median_ms_by_kind": self.by_kind(),
        }

    def by_kind(self) -> dict[str, float]:
        """The median latency of each kind of request (ms): where the time goes."""
        kinds: dict[str, list[float]] = {}
        for a in self.attempts:
            kinds.setdefault(a.kind, []).append(a.seconds)
        return {k: round(statistics.median(v) * 1000, 1) for k, v in sorted(kinds.items())}


@dataclass
class Request:
    kind: str
    method: str
    path: str
    form: dict[str, Any] | None = None


@dataclass
class Answer:
    status: int
    location: str
    body: str


# What a request comes to: its answer, or why there is none (a FlowError after ATTEMPTS, or a
# request that cannot be sent, such as a link with a space in it).
Outcome = Answer | Exception


class Browser:
    """One respondent's connection and cookies, and the request it has under way.

    `send` is the blocking way to send a request; a run's Loop calls `begin` for many browsers
    at once. A browser stays with the first loop that sends for it."""

    def __init__(self, port: int, origin: str, recorder: Recorder) -> None:
        self.port = port
        self.origin = origin
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.connection: http_lite.Connection | None = None
        self.loop: Loop | None = None
        self.own_loop = False  # made by `send`, closed with the browser
        self.watching = 0  # the selector events registered for the connection
        self.request: Request | None = None
        self.due: float | None = None
        self.done: Callable[[Outcome], None] = _nothing
        self.attempt = 0
        self.started = 0.0
        self.deadline = float("inf")

    def send(self, request: Request, due: float | None = None) -> Answer:
        """The request, sent again on a connection error or 502/503/504 (ATTEMPTS at most)."""
        if self.loop is None:
            self.loop, self.own_loop = Loop(), True
        assert self.own_loop, "a browser of a run's loop is sent for by that loop"
        outcomes: list[Outcome] = []
        self.begin(self.loop, request, due, outcomes.append)
        self.loop.run()
        if isinstance(outcomes[0], Exception):
            raise outcomes[0]
        return outcomes[0]

    def begin(
        self, loop: Loop, request: Request, due: float | None, done: Callable[[Outcome], None]
    ) -> None:
        """Send the request as `send` does, on `loop`; `done` gets the answer, or the error that
        `send` would raise."""
        if self.loop is None:
            self.loop = loop
        assert loop is self.loop, "a browser stays with one loop"
        assert self.request is None, "one request at a time"
        self.request, self.due, self.done, self.attempt = request, due, done, 0
        loop.busy.add(self)
        self._attempt()

    def _attempt(self) -> None:
        request = self.request
        assert request is not None
        due = self.due
        self.started = due if due is not None and self.attempt == 0 else time.monotonic()
        headers = {"Accept-Encoding": "gzip", "Accept-Language": "da"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if request.form is not None:
            body = form_body(request.form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        try:
            if self.connection is None:
                self.connection = http_lite.Connection("127.0.0.1", self.port)
            self.connection.start(request.method, request.path, headers, body)
        except OSError:
            self._failed()
            return
        except ValueError as error:  # not a request that can be sent: the flow's mistake
            self._finish(error)
            return
        self.deadline = time.monotonic() + TIMEOUT
        self._watch(self.connection.wants())

    def ready(self, sock: Any, events: int) -> None:
        """The selector found the connection's socket ready for `events`."""
        if self.connection is None or sock is not self.connection.sock:
            return  # news of a socket closed since, whose number a new one may have
        if self.request is None or self.deadline == float("inf"):
            # Idle: the server closed the connection (or wrote unasked). The next request finds
            # out, as it would on http.client: an attempt cut off, and sent again.
            self._watch(0)
            return
        try:
            response = self.connection.progress(events)
        except OSError:  # the socket's errors, and http_lite.ProtocolError
            self._failed()
            return
        self.deadline = time.monotonic() + TIMEOUT
        if response is None:
            self._watch(self.connection.wants())
        else:
            self._answered(response)

    def expire(self, now: float) -> None:
        """Give up on the attempt if the connection has been silent for TIMEOUT seconds."""
        if now > self.deadline:
            self._failed()

    def _answered(self, response: http_lite.Response) -> None:
        raw = response.body
        if response.headers.get("content-encoding") == "gzip":
            raw = zlib.decompress(raw, 16 + zlib.MAX_WBITS)
        for cookie in response.cookies:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self._disconnect()
        location = response.headers.get("location", "")
        location = urlsplit(location).path if location else ""
        answer = Answer(response.status, location, raw.decode("utf-8", "replace"))
        self._record(answer.status)
        if answer.status in RETRIED:
            self._later()
        else:
            self._finish(answer)

    def _failed(self) -> None:
        self._disconnect()
        self._record(0)
        self._later()

    def _record(self, status: int) -> None:
        ended = time.monotonic()
        assert self.request is not None
        self.recorder.add(Attempt(self.request.kind, status, ended - self.started, ended,
                                  self.attempt > 0))  # fmt: skip

    def _later(self) -> None:
        """A client's back-off before it tries again, or gives up after ATTEMPTS."""
        assert self.loop is not None
        self.deadline = float("inf")
        self.loop.call_at(time.monotonic() + 0.05 * (self.attempt + 1), self._again)

    def _again(self) -> None:
        self.attempt += 1
        if self.attempt < ATTEMPTS:
            self._attempt()
            return
        request = self.request
        assert request is not None
        self._finish(FlowError(f"{request.kind} {request.method} failed {ATTEMPTS} times"))

    def _finish(self, outcome: Outcome) -> None:
        done = self.done
        self.request, self.done, self.deadline = None, _nothing, float("inf")
        assert self.loop is not None
        self.loop.busy.discard(self)
        done(outcome)

    def _watch(self, events: int) -> None:
        """Have the loop's selector watch the connection for `events` (0: not at all)."""
        if events == self.watching:
            return
        assert self.loop is not None and self.connection is not None
        selector = self.loop.selector
        if not self.watching:
            selector.register(self.connection.sock, events, self)
        elif not events:
            selector.unregister(self.connection.sock)
        else:
            selector.modify(self.connection.sock, events, self)
        self.watching = events

    def _disconnect(self) -> None:
        if self.connection is not None:
            self._watch(0)
            self.connection.close()
            self.connection = None

    def close(self) -> None:
        self._disconnect()
        if self.own_loop and self.loop is not None:
            self.loop.close()
            self.loop, self.own_loop = None, False


def _nothing(outcome: Outcome) -> None:
    pass


# Form fields and their values recur from respondent to respondent, and so do the words of the
# notes and texts: each is quoted once.
_quote_word = functools.lru_cache(maxsize=4096)(quote_plus)


@functools.lru_cache(maxsize=4096)
def _quote(text: str) -> str:
    """quote_plus(text), word by word (it quotes character by character, a space as "+")."""
    return "+".join(map(_quote_word, text.split(" ")))


def form_body(form: dict[str, Any]) -> str:
    """urlencode(form, doseq=True) for string and list values, with the quoting cached."""
    pairs = []
    for name, value in form.items():
        key = _quote(str(name))
        if isinstance(value, list | tuple):
            pairs.extend(f"{key}={_quote(str(v))}" for v in value)
        else:
            pairs.append(f"{key}={_quote(str(value))}")
    return "&".join(pairs)


class Loop:
    """Every request of a run on one thread: a selector says which connections can go on, a heap
    of timers holds the back-offs and the open loop's arrival schedule."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.timers: list[tuple[float, int, Callable[[], None]]] = []
        self.order = itertools.count()  # ties in the heap go first come, first served
        self.busy: set[Browser] = set()  # browsers with a request under way

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self.timers, (when, next(self.order), callback))

    def run(self) -> None:
        """Until no request is under way and no timer is left."""
        timers, select = self.timers, self.selector.select
        check = time.monotonic() + 1.0
        while self.busy or timers:
            now = time.monotonic()
            while timers and timers[0][0] <= now:
                heapq.heappop(timers)[2]()
            if now >= check:  # silent connections: once a second is often enough
                for browser in list(self.busy):
                    browser.expire(now)
                check = now + 1.0
            wait = min(timers[0][0] - now, 1.0) if timers else 1.0
            for key, events in select(max(0.0, wait)) if self.busy or timers else ():
                key.data.ready(key.fileobj, events)

    def close(self) -> None:
        self.selector.close()


def controllers(questionnaire: Questionnaire) -> set[str]:
    """Questions that another question's show_if looks at."""
    found: set[str] = set()

    def walk(rule: Any) -> None:
        if isinstance(rule, dict):
            if isinstance(rule.get("question"), str):
                found.add(rule["question"])
            for value in rule.values():
                walk(value)
        elif isinstance(rule, list):
            for value in rule:
                walk(value)

    for question in questionnaire.questions.values():
        walk(question.show_if)
    return found


def once_per_object(compute: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """compute(x) worked out once for each x (questionnaires and questions hold dicts: they
    cannot be hashed, so they are told apart by identity, and kept)."""
    cache: dict[int, tuple[Any, Any]] = {}

    def cached(x: Any) -> Any:
        hit = cache.get(id(x))
        if hit is None or hit[0] is not x:
            hit = cache[id(x)] = (x, compute(x))
        return hit[1]

    return cached


@once_per_object
def picks(question: Question) -> tuple[Any, list[str]]:
    """A choice question's best answer, and the values a respondent picks from at random."""
    if question.type == "multiple":
        options = sorted(question.options, key=lambda o: o.score)
        return [o.value for o in options if o.score > 0], [
            o.value for o in options if not o.exclusive
        ]
    choices = sorted(question.choices(), key=lambda o: o.score)
    return choices[-1].value, [*[o.value for o in choices], "dont_know"]


controllers_of = once_per_object(controllers)


def planned_answer(question: Question, fixed: bool, rng: random.Random, index: int) -> Any:
    """What a respondent picks: the best where other questions depend on it, else at random."""
    if question.type == "text":
        return f"Svar fra respondent {index}: «{question.id}» & <i>æøå</i>"
    if question.type == "number":
        return str(int(question.max if question.max is not None else 10))
    best, values = picks(question)
    if question.type == "multiple":
        if fixed:
            return list(best)
        return sorted(rng.sample(values, rng.randint(1, len(values))))
    if fixed:
        return best
    return rng.choice(values)


class Respondent:
    """One simulated respondent: what it sends, and what the database should hold afterwards."""

    def __init__(self, index: int, questionnaires: dict[str, Questionnaire], seed: int = 0):
        self.index = index
        self.lang = "da" if index % 3 else "sv"
        self.questionnaire = questionnaires[ROLES[index % len(ROLES)]]
        self.rng = random.Random(seed * 100_003 + index)  # noqa: S311 (answers, not secrets)
        self.fixed = controllers_of(self.questionnaire)
        self.organisation = f"Load {index} Kommune"
        self.token = ""
        self.pages: list[tuple[int, dict[str, Any]]] = []  # each page saved, and what was sent
        self._expected: tuple[dict[str, Any], dict[str, str]] = ({}, {})
        self._applied = 0  # pages in self._expected
        self.save_at = 1 + index % max(1, len(self.questionnaire.dimensions) - 1)
        self.submitted = False

    def base(self) -> str:
        return f"/{self.lang}/{SECTIONS['assessment'][self.lang]}"

    def flow(self) -> Generator[Request, Answer, None]:
        """Start, answer every page, save and leave once, come back by the link, submit."""
        page = yield Request("start GET", "GET", f"{self.base()}/")
        expect(page, 200, "start page")
        answer = yield Request("start POST", "POST", f"{self.base()}/", {
            "csrf_token": csrf(page), "role": self.questionnaire.id,
            "organisation": self.organisation, "programme": "Tidlig indsats", "email": "",
        })  # fmt: skip
        expect(answer, 302, "start")
        self.token = TOKEN_RE.search(answer.location + "/").group(1)
        location, saved = answer.location, False
        step = f"/{self.token}/{SECTIONS['step'][self.lang]}/"
        while step in location:
            page = yield Request("step GET", "GET", location)
            if page.status == 302:  # a page routed away by an earlier answer
                location = page.location
                continue
            expect(page, 200, location)
            number = int(location.rsplit("/", 1)[1])
            form = self.page_form(number, csrf(page))
            leave = number == self.save_at and not saved
            form["action"] = "save" if leave else "continue"
            answer = yield Request("step POST", "POST", location, form)
            expect(answer, 302, f"page {number}")
            self.record_page(number, form)
            location = answer.location
            if leave:
                # Saved: the task list, with the secret link to come back by, which leads to
                # the task list again; the respondent goes on where it says.
                saved = True
                expect_path(location, f"/{self.token}/{SECTIONS['overview'][self.lang]}")
                page = yield Request("overview GET", "GET", location)
                expect(page, 200, "the task list after saving")
                link = self.secret_link(page.body)
                answer = yield Request("resume GET", "GET", link)
                expect(answer, 302, "secret link")
                expect_path(answer.location, location)
                page = yield Request("overview GET", "GET", answer.location)
                expect(page, 200, "the task list")
                location = self.continue_link(page.body)
        expect_path(location, f"/{self.token}/{SECTIONS['answers'][self.lang]}")
        page = yield Request("answers GET", "GET", location)
        expect(page, 200, "check your answers")
        submit = f"{self.base()}/{self.token}/{SECTIONS['submit'][self.lang]}"
        answer = yield Request("submit POST", "POST", submit, {"csrf_token": csrf(page)})
        expect(answer, 302, "submit")
        expect_path(answer.location, f"/{self.token}/{SECTIONS['result'][self.lang]}")
        self.submitted = True

    def page_form(self, number: int, token: str) -> dict[str, Any]:
        """Every question of the page answered, a note on every third one."""
        form: dict[str, Any] = {"csrf_token": token, "questionnaire": self.questionnaire.id}
        dimension = self.questionnaire.dimensions[number - 1]
        for position, question in enumerate(dimension.questions):
            fixed = question.id in self.fixed
            form[f"q_{question.id}"] = planned_answer(question, fixed, self.rng, self.index)
            if position % 3 == 0:
                form[f"note_{question.id}"] = (
                    f"Respondent {self.index}: kilden til {question.id} er «referat» & <b>bilag</b>"
                )
        return form

    def record_page(self, number: int, form: dict[str, Any]) -> None:
        """A page the site saved, and what was sent in it."""
        self.pages.append((number, form))

    @property
    def expected_answers(self) -> dict[str, Any]:
        """The answers the site should store: worked out when asked for (after the run: none
        of it is taken from the servers' time)."""
        return self._expectations()[0]

    @property
    def expected_notes(self) -> dict[str, str]:
        return self._expectations()[1]

    def _expectations(self) -> tuple[dict[str, Any], dict[str, str]]:
        for number, form in self.pages[self._applied :]:
            self._expected = self.saved(number, form, *self._expected)
            self._applied += 1
        return self._expected

    def saved(
        self, number: int, form: dict[str, Any], before: dict[str, Any], notes: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """What a saved page leaves in the database (the rules of app/assessment/service.py)."""
        questionnaire = self.questionnaire
        ids = [q.id for q in questionnaire.dimensions[number - 1].questions]
        answers = {k: v for k, v in before.items() if k not in ids}
        for qid in ids:
            value, error = clean_answer(questionnaire.questions[qid], form.get(f"q_{qid}"),
                                        self.lang)  # fmt: skip
            assert error is None, (qid, error)
            if value is not None:
                answers[qid] = value
        for qid in list(answers):
            if not is_shown(questionnaire.questions[qid], answers, questionnaire):
                del answers[qid]
        notes = {k: v for k, v in notes.items() if k not in ids}
        notes.update({q: form[f"note_{q}"].strip() for q in ids if f"note_{q}" in form})
        return answers, notes

    def secret_link(self, body: str) -> str:
        for match in SECRET_LINK_RE.finditer(body):
            if match.group(2) == self.token:
                return match.group(1)
        raise FlowError("the saved page shows no secret link")

    def continue_link(self, body: str) -> str:
        """Where the task list's "Continue" leads: the next page to answer, or the answers."""
        match = CONTINUE_RE.search(body)
        if match is None or f"/{self.token}/" not in match.group(1):
            raise FlowError("the task list has no way on")
        return match.group(1)


def csrf(answer: Answer) -> str:
    match = CSRF_RE.search(answer.body)
    if match is None:
        raise FlowError("no csrf_token in the page")
    return match.group(1) or match.group(2)


def expect(answer: Answer, status: int, what: str) -> None:
    if answer.status != status:
        raise FlowError(f"{what}: {answer.status}, expected {status}: {answer.body[:300]!r}")


def expect_path(location: str, ending: str) -> None:
    if not location.endswith(ending):
        raise FlowError(f"led to {location}, expected …{ending}")


def drive(respondent: Respondent, browser: Browser) -> None:
    """Run one respondent's whole flow, each request as soon as the last is answered."""
    flow = respondent.flow()
    try:
        request = next(flow)
        while True:
            request = flow.send(browser.send(request))
    except StopIteration:
        pass
    finally:
        browser.close()


@dataclass
class Run:
    respondents: list[Respondent]
    recorder: Recorder
    failures: list[tuple[int, str]]
    started: float
    ended: float

    def summary(self) -> dict[str, Any]:
        return {
            "respondents": len(self.respondents),
            "submitted": sum(r.submitted for r in self.respondents),
            "failures": len(self.failures),
            **self.recorder.summary(self.started, self.ended),
        }


def follow(
    loop: Loop,
    respondent: Respondent,
    browser: Browser,
    finished: Callable[[Exception | None], None],
) -> None:
    """`drive` on a loop: `finished` gets None at the end of the flow, or what stopped it."""
    flow = respondent.flow()

    def step(outcome: Outcome | None) -> None:
        try:
            if isinstance(outcome, Exception):
                raise outcome
            request = next(flow) if outcome is None else flow.send(outcome)
        except StopIteration:
            browser.close()
            finished(None)
        except Exception as error:
            browser.close()
            finished(error)
        else:
            browser.begin(loop, request, None, step)

    step(None)


def closed_loop(
    port: int, origin: str, questionnaires: dict[str, Questionnaire], count: int, seed: int = 0
) -> tuple[ThreadPoolExecutor, list, Run]:
    """Start `count` respondents at once, all on one thread of their own (a Loop), with a future
    each; returns at once (see `finish`)."""
    recorder = Recorder()
    respondents = [Respondent(i, questionnaires, seed) for i in range(count)]
    run = Run(respondents, recorder, [], time.monotonic(), 0.0)
    futures: list[Future] = [Future() for _ in respondents]

    def settle(future: Future) -> Callable[[Exception | None], None]:
        def finished(error: Exception | None) -> None:
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

        return finished

    def go() -> None:
        loop = Loop()
        try:
            for respondent, future in zip(respondents, futures, strict=True):
                follow(loop, respondent, Browser(port, origin, recorder), settle(future))
            loop.run()
        except BaseException as error:  # the loop itself broke: tell whoever waits
            for future in futures:
                if not future.done():
                    future.set_exception(error)
            raise
        finally:
            loop.close()

    pool = ThreadPoolExecutor(1)
    pool.submit(go)
    return pool, futures, run


def finish(pool: ThreadPoolExecutor, futures: list, run: Run, timeout: float) -> Run:
    """Wait for every respondent (bounded), note who failed and why."""
    deadline = time.monotonic() + timeout
    for respondent, future in zip(run.respondents, futures, strict=True):
        try:
            future.result(timeout=max(0.1, deadline - time.monotonic()))
        except Exception as error:
            run.failures.append((respondent.index, f"{type(error).__name__}: {error}"))
    run.ended = time.monotonic()
    pool.shutdown(wait=False, cancel_futures=True)
    return run


def open_loop(
    port: int,
    origin: str,
    questionnaires: dict[str, Questionnaire],
    rate: float,
    seconds: float,
    threads: int = 48,
    seed: int = 1,
) -> Run:
    """Questionnaire requests at `rate` per second for `seconds`, in the respondents' own mix.

    Each due moment goes to the respondent that has waited longest for its next request, or to
    a new one when all are busy; the latency of a request counts from its due moment.

    At most `threads` requests are under way at once, as many as the threads that once sent
    them; a request due beyond that waits its turn, its latency counted from its due moment.
    """
    Item = tuple[Respondent, Browser, Generator, Request]
    recorder = Recorder()
    loop = Loop()
    ready: deque[Item] = deque()  # respondents waiting for their next request to be due
    queued: deque[tuple[Item, float]] = deque()  # due, waiting their turn
    respondents: list[Respondent] = []
    failures: list[tuple[int, str]] = []
    total = int(rate * seconds)
    overloaded_at: int | None = None

    def fresh() -> Item:
        respondent = Respondent(len(respondents), questionnaires, seed)
        respondents.append(respondent)
        flow = respondent.flow()
        return respondent, Browser(port, origin, recorder), flow, next(flow)

    def start(item: Item, due: float) -> None:
        respondent, browser, flow, request = item

        def answered(outcome: Outcome) -> None:
            try:
                if isinstance(outcome, Exception):
                    raise outcome
                following = flow.send(outcome)
            except StopIteration:
                browser.close()
            except Exception as error:
                failures.append((respondent.index, f"{type(error).__name__}: {error}"))
                browser.close()
            else:
                ready.append((respondent, browser, flow, following))
            if queued:
                start(*queued.popleft())

        browser.begin(loop, request, due, answered)

    def arrive(k: int) -> None:
        nonlocal overloaded_at
        if k - len(recorder) > rate * BACKLOG_SECONDS:
            overloaded_at = k  # more than BACKLOG_SECONDS of requests unanswered: stop
            return
        item = ready.popleft() if ready else fresh()
        due = started + k / rate
        if len(loop.busy) < threads:
            start(item, due)
        else:
            queued.append((item, due))
        if k + 1 < total:
            loop.call_at(started + (k + 1) / rate, functools.partial(arrive, k + 1))

    started = time.monotonic()
    if total:
        loop.call_at(started, functools.partial(arrive, 0))
    loop.run()
    ended = time.monotonic()
    if overloaded_at is not None:
        failures.append(
            (-1, f"overloaded: {overloaded_at} of {total} requests sent, {len(recorder)} answered")
        )
    for _respondent, browser, _flow, _request in ready:
        browser.close()
    loop.close()
    return Run(respondents, recorder, failures, started, ended)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used by these processes and their reaped children (from /proc, Linux)."""
    from pathlib import Path

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def workers_of(master: int) -> list[int]:
    """A gunicorn master's workers: the processes whose parent it is (from /proc)."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return sorted(found)
