"""Simulated respondents over real HTTP: light enough to load two app servers from the same machine.

Each respondent is a browser without the browser: one keep-alive connection (http.client), its
own cookies, the CSRF token read from each form, and the Origin header a browser sends with a
form. It starts an assessment, answers every page it is led to (notes on some questions), saves
and leaves on one page, comes back through the secret link shown, and submits.

The flow is a generator that yields each request and receives its answer, so one flow serves
two drivers: `closed_loop` (every respondent at once, each as fast as answers come) and
`open_loop` (requests sent at a fixed arrival rate, whoever is ready next, latency counted from
the moment a request was due so that a slow server cannot hide its queue).

A request that meets a connection error, 502, 503 or 504 is sent again, a bounded number of
times: every attempt is recorded, so a report can tell a clean run from one that needed retries.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import statistics
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.core.answers import clean_answer
from app.core.questionnaire import Question, Questionnaire
from app.core.scoring import is_shown
from app.i18n import SECTIONS

RETRIED = {502, 503, 504}
ATTEMPTS = 6
TIMEOUT = 30.0
# The open loop gives up when this many seconds' worth of requests wait for an answer.
BACKLOG_SECONDS = 5.0
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"')  # fmt: skip
TOKEN_RE = re.compile(r"/([A-Za-z0-9_-]{43})/")
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


class Browser:
    """One respondent's connection and cookies."""

    def __init__(self, port: int, origin: str, recorder: Recorder) -> None:
        self.port = port
        self.origin = origin
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: Request, due: float | None = None) -> Answer:
        """The request, sent again on a connection error or 502/503/504 (ATTEMPTS at most)."""
        for attempt in range(ATTEMPTS):
            started = due if due is not None and attempt == 0 else time.monotonic()
            try:
                answer = self._once(request)
            except (OSError, http.client.HTTPException):
                self.close()
                answer = Answer(0, "", "")
            ended = time.monotonic()
            self.recorder.add(Attempt(request.kind, answer.status, ended - started, ended,
                                      attempt > 0))  # fmt: skip
            if answer.status and answer.status not in RETRIED:
                return answer
            time.sleep(0.05 * (attempt + 1))  # a client's back-off before it tries again
        raise FlowError(f"{request.kind} {request.method} failed {ATTEMPTS} times")

    def _once(self, request: Request) -> Answer:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        headers = {"Accept-Encoding": "gzip", "Accept-Language": "da"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if request.form is not None:
            body = urlencode(request.form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
        self.connection.request(request.method, request.path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            raw = zlib.decompress(raw, 16 + zlib.MAX_WBITS)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        location = urlsplit(response.getheader("Location", "")).path
        return Answer(response.status, location, raw.decode("utf-8", "replace"))

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


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


def planned_answer(question: Question, fixed: bool, rng: random.Random, index: int) -> Any:
    """What a respondent picks: the best where other questions depend on it, else at random."""
    if question.type == "text":
        return f"Svar fra respondent {index}: «{question.id}» & <i>æøå</i>"
    if question.type == "number":
        return str(int(question.max if question.max is not None else 10))
    if question.type == "multiple":
        options = sorted(question.options, key=lambda o: o.score)
        if fixed:
            return [o.value for o in options if o.score > 0]
        plain = [o.value for o in options if not o.exclusive]
        return sorted(rng.sample(plain, rng.randint(1, len(plain))))
    choices = sorted(question.choices(), key=lambda o: o.score)
    if fixed:
        return choices[-1].value
    return rng.choice([*[o.value for o in choices], "dont_know"])


class Respondent:
    """One simulated respondent: what it sends, and what the database should hold afterwards."""

    def __init__(self, index: int, questionnaires: dict[str, Questionnaire], seed: int = 0):
        self.index = index
        self.lang = "da" if index % 3 else "sv"
        self.questionnaire = questionnaires[ROLES[index % len(ROLES)]]
        self.rng = random.Random(seed * 100_003 + index)  # noqa: S311 (answers, not secrets)
        self.fixed = controllers(self.questionnaire)
        self.organisation = f"Load {index} Kommune"
        self.token = ""
        # What the site should store: save_page's rules applied to what was sent, page by page.
        self.expected_answers: dict[str, Any] = {}
        self.expected_notes: dict[str, str] = {}
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
                saved = True
                page = yield Request("saved GET", "GET", location)
                expect(page, 200, "saved page")
                link = self.secret_link(page.body)
                answer = yield Request("resume GET", "GET", link)
                expect(answer, 302, "secret link")
                location = answer.location
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
        """What a saved page leaves in the database (the rules of app/assessment/service.py)."""
        questionnaire = self.questionnaire
        ids = [q.id for q in questionnaire.dimensions[number - 1].questions]
        answers = {k: v for k, v in self.expected_answers.items() if k not in ids}
        for qid in ids:
            value, error = clean_answer(questionnaire.questions[qid], form.get(f"q_{qid}"),
                                        self.lang)  # fmt: skip
            assert error is None, (qid, error)
            if value is not None:
                answers[qid] = value
        for qid in list(answers):
            if not is_shown(questionnaire.questions[qid], answers, questionnaire):
                del answers[qid]
        notes = {k: v for k, v in self.expected_notes.items() if k not in ids}
        notes.update({q: form[f"note_{q}"].strip() for q in ids if f"note_{q}" in form})
        self.expected_answers, self.expected_notes = answers, notes

    def secret_link(self, body: str) -> str:
        match = re.search(rf'<a href="https?://[^/"]+(/[^"]*/{self.token})">', body)
        if match is None:
            raise FlowError("the saved page shows no secret link")
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


def closed_loop(
    port: int, origin: str, questionnaires: dict[str, Questionnaire], count: int, seed: int = 0
) -> tuple[ThreadPoolExecutor, list, Run]:
    """Start `count` respondents at once, one thread each; returns at once (see `finish`)."""
    recorder = Recorder()
    respondents = [Respondent(i, questionnaires, seed) for i in range(count)]
    run = Run(respondents, recorder, [], time.monotonic(), 0.0)
    pool = ThreadPoolExecutor(count)
    futures = [pool.submit(drive, r, Browser(port, origin, recorder)) for r in respondents]
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
    """
    recorder = Recorder()
    ready: deque[tuple[Respondent, Browser, Generator, Request]] = deque()
    respondents: list[Respondent] = []
    failures: list[tuple[int, str]] = []
    lock = threading.Lock()

    def fresh() -> tuple[Respondent, Browser, Generator, Request]:
        with lock:
            respondent = Respondent(len(respondents), questionnaires, seed)
            respondents.append(respondent)
        flow = respondent.flow()
        return respondent, Browser(port, origin, recorder), flow, next(flow)

    def one(item: tuple[Respondent, Browser, Generator, Request], due: float) -> None:
        respondent, browser, flow, request = item
        try:
            following = flow.send(browser.send(request, due))
        except StopIteration:
            browser.close()
            return
        except Exception as error:
            failures.append((respondent.index, f"{type(error).__name__}: {error}"))
            browser.close()
            return
        ready.append((respondent, browser, flow, following))

    total = int(rate * seconds)
    started = time.monotonic()
    overloaded = False
    with ThreadPoolExecutor(threads) as pool:
        for k in range(total):
            due = started + k / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)  # pacing: the arrival schedule, not a wait for anything
            if k - len(recorder) > rate * BACKLOG_SECONDS:
                overloaded = True  # more than BACKLOG_SECONDS of requests unanswered: stop
                break
            try:
                item = ready.popleft()
            except IndexError:
                item = fresh()
            pool.submit(one, item, due)
    ended = time.monotonic()
    if overloaded:
        failures.append((-1, f"overloaded: {k} of {total} requests sent, {len(recorder)} answered"))
    for _respondent, browser, _flow, _request in ready:
        browser.close()
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
