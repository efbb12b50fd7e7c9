"""PostgreSQL restarted, and a worker killed, while respondents are answering (issue 12).

The test runs its own PostgreSQL cluster (never the machine's), the app on gunicorn with two
workers as production runs it (CSRF on), and a crowd of respondents in both languages. Midway the
cluster is stopped: every request that needs it answers 503 in its own language, a posted page
comes back with what was typed; the cluster starts again, the respondents save again, and each
one finishes and submits; a gunicorn worker is killed on the way, and what it cut off is sent
again. Then the database holds every submitted assessment with every answer
and note as sent, and nothing else but drafts nobody typed into (a start whose reply was lost).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.core.answers import clean_answer
from app.core.questionnaire import Questionnaire
from app.core.questionnaire_loader import load_questionnaires
from app.core.scoring import is_shown
from tests.assessment_helpers import BASE, STEP, form_value
from tests.conftest import ROOT, dispose, make_app, migrate_fresh
from tests.fault_texts import HEADING, STEP_AGAIN, SUBMIT, TYPED_AGAIN
from tests.helpers import check_page, text_of
from tests.test_resilience import free_port

RESPONDENTS = 24
# The first few start only once the database is down, the next few submit only then: the start
# form and the submit button meet the outage too, not only questionnaire pages.
LATE_STARTS = range(0, 4)
LATE_SUBMITS = range(4, 8)
DEADLINE_SECONDS = 60
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEXT_RE = re.compile(
    r"/(?:selvevaluering|sjalvskattning)/([A-Za-z0-9_-]{43})/(?:(?:trin|steg)/(\d+)|.*)"
)


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    return found[-1].parent if found else None


class Cluster:
    """A private PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="pg-faults-"))
        self.data = self.folder / "data"
        self.port = free_port()
        # postgres refuses to run as root: as root, the cluster is the postgres user's.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.folder, "postgres")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=3"

    def run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_owner, *args], check=True, capture_output=True, timeout=30, cwd=self.folder
        )

    def init(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                 "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        options = f"-F -p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                 "-o", options, "-w", "-t", "20", "start")  # fmt: skip

    def stop(self) -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "no PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    made = Cluster(bin_dir)
    try:
        made.init()
        made.start()
        yield made
    finally:
        made.remove()


@pytest.fixture
def gunicorn(cluster: Cluster, tmp_path: Path):
    """The app on gunicorn (deploy/gunicorn.conf.py, two workers), production settings."""
    app = make_app(cluster.url)
    migrate_fresh(app)  # as `flask db upgrade` does on a new database
    dispose(app)
    port = free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "r" * 40,
        "DATABASE_URL": cluster.url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        # One address sends everything here: the form limits would answer 429 to the crowd.
        "RATELIMIT_ENABLED": "false",
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/livez")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.1)
        yield port, process.pid, tmp_path / "gunicorn.log"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


@dataclass
class Outage:
    """What the respondents saw while the database was down, and when it was."""

    down_from: float = float("inf")
    down_until: float = float("inf")
    pages: Counter = field(default_factory=Counter)  # (kind, lang) -> 503 pages checked
    wrong: list = field(default_factory=list)  # what should not have been
    lock: threading.Lock = field(default_factory=threading.Lock)
    saved_steps: int = 0
    refused: set = field(default_factory=set)  # (respondent, kind) that got a 503
    parked: set = field(default_factory=set)  # late submitters waiting for the outage
    cut_off: int = 0  # requests whose worker was killed under them
    begun: threading.Event = field(default_factory=threading.Event)

    def during(self, sent: float, answered: float) -> bool:
        return sent > self.down_from and answered < self.down_until


@dataclass
class Respondent:
    number: int
    lang: str
    questionnaire: Questionnaire
    port: int
    outage: Outage
    cookie: str = ""
    token: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    done: bool = False

    @property
    def organisation(self) -> str:
        return f"Kommune nr. {self.number}"

    def send(self, method: str, path: str, form: dict | None = None):  # type: ignore[no-untyped-def]
        body = None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            try:
                sent = time.monotonic()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                page = response.read().decode()
                answered = time.monotonic()
                break
            except (ConnectionError, http.client.HTTPException):
                # The worker answering was killed: a person would press the button again.
                with self.outage.lock:
                    self.outage.cut_off += 1
                assert time.monotonic() < DEADLINE, f"respondent {self.number} ran out of time"
            finally:
                connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        if response.status >= 500 and response.status != 503:
            self.wrong(f"{method} {path[:40]} answered {response.status}")
        return response, page, sent, answered

    def wrong(self, what: str) -> None:
        with self.outage.lock:
            self.outage.wrong.append(f"respondent {self.number}: {what}")

    def until_saved(self, kind: str, path: str, form: dict, check) -> http.client.HTTPResponse:  # type: ignore[no-untyped-def]
        """POST until it is stored; every 503 is checked, and any other answer during the
        outage is wrong."""
        while True:
            assert time.monotonic() < DEADLINE, f"respondent {self.number} ran out of time"
            response, page, sent, answered = self.send("POST", path, form)
            if response.status != 503:
                if self.outage.during(sent, answered):
                    self.wrong(f"{kind} answered {response.status} while the database was down")
                return response
            soup = check_page(page, f"503 on {kind}")
            if soup.html["lang"] != self.lang:
                self.wrong(f"{kind}: 503 page in {soup.html['lang']}, asked in {self.lang}")
            problem = check(soup)
            if problem:
                self.wrong(f"{kind}: {problem}")
            with self.outage.lock:
                self.outage.pages[kind, self.lang] += 1
                self.outage.refused.add((self.number, kind))
            time.sleep(0.1)  # a person waits a moment before saving again

    def take_part(self) -> None:
        base = BASE[self.lang]
        response, page, _sent, _answered = self.send("GET", f"{base}/")
        assert response.status == 200, page[:500]
        csrf = unescape(CSRF_RE.search(page).group(1))
        start_form = {"csrf_token": csrf, "role": self.questionnaire.id,
                      "organisation": self.organisation, "programme": "Unge i job"}  # fmt: skip

        def start_again(soup) -> str | None:  # type: ignore[no-untyped-def]
            shown = soup.select_one("#organisation")
            if TYPED_AGAIN[self.lang] not in soup.get_text() or shown is None:
                return "the start form was not shown again"
            return None if shown.get("value") == self.organisation else "organisation lost"

        if self.number in LATE_STARTS:
            self.outage.begun.wait(timeout=DEADLINE_SECONDS)
        response = self.until_saved("start", f"{base}/", start_form, start_again)
        self.token, number = self.following(response)
        while number is not None:
            number = self.answer_page(csrf, number)
        submit = f"{base}/{self.token}/{SUBMIT[self.lang]}"

        def heading(soup) -> str | None:  # type: ignore[no-untyped-def]
            return None if text_of(soup, "h1") == HEADING[self.lang] else "no 503 heading"

        if self.number in LATE_SUBMITS:
            with self.outage.lock:
                self.outage.parked.add(self.number)
            self.outage.begun.wait(timeout=DEADLINE_SECONDS)
        response = self.until_saved("submit", submit, {"csrf_token": csrf}, heading)
        if response.status != 302 or not response.headers["Location"].endswith(
            ("/resultat", "/result")
        ):
            self.wrong(f"submit answered {response.status} {response.headers.get('Location')}")
        self.done = True

    def following(self, response) -> tuple[str, int | None]:  # type: ignore[no-untyped-def]
        if response.status != 302:
            raise AssertionError(f"respondent {self.number}: {response.status}, not a redirect")
        found = NEXT_RE.search(response.headers["Location"])
        return found.group(1), (int(found.group(2)) if found.group(2) else None)

    def answer_page(self, csrf: str, number: int) -> int | None:
        dimension = self.questionnaire.dimensions[number - 1]
        how = ("best", "worst")[self.number % 2]
        form: dict[str, Any] = {"csrf_token": csrf, "action": "continue",
                                "questionnaire": self.questionnaire.id}  # fmt: skip
        page_answers = {}
        for q in dimension.questions:
            value = form_value(q, how)
            if q.type == "text":
                value = f"Svar {self.number} på {q.id}"
            form[f"q_{q.id}"] = value
            page_answers[q.id] = clean_answer(q, value, self.lang)[0]
            if q.type != "text":
                form[f"note_{q.id}"] = f"Notat {self.number} om {q.id}: æøå åäö"
        first_note = next(k for k in form if k.startswith("note_"))

        def shown_again(soup) -> str | None:  # type: ignore[no-untyped-def]
            if STEP_AGAIN[self.lang] not in text_of(soup, ".alert-warning"):
                return "no notice that the page was not saved"
            note = soup.select_one(f"#{first_note}")
            return None if note and note.get_text() == form[first_note] else "the note was lost"

        path = f"{BASE[self.lang]}/{self.token}/{STEP[self.lang]}/{number}"
        response = self.until_saved("step", path, form, shown_again)
        self.answers = {k: v for k, v in self.answers.items() if k not in page_answers}
        self.answers.update({k: v for k, v in page_answers.items() if v is not None})
        for qid in list(self.answers):
            if not is_shown(self.questionnaire.questions[qid], self.answers, self.questionnaire):
                del self.answers[qid]
        self.notes.update({k[5:]: v for k, v in form.items() if k.startswith("note_")})
        with self.outage.lock:
            self.outage.saved_steps += 1
        return self.following(response)[1]


DEADLINE = float("inf")


def plain(value: Any) -> Any:
    """An answer as JSON holds it: numbers as numbers, lists in order."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, list):
        return sorted(plain(v) for v in value)
    return value


def wait_for(condition, seconds: float, what) -> None:  # type: ignore[no-untyped-def]
    """Poll until the condition holds; fail after the given seconds, saying what was awaited."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what()}"
        time.sleep(0.05)


def last_traceback(log: Path) -> str:
    """The app's last logged traceback, if any: what a failure here needs to be understood."""
    text = log.read_text(errors="replace")
    return text[text.rfind("Traceback") :][-4000:] if "Traceback" in text else ""


def workers_of(master: int) -> list[int]:
    """The gunicorn master's worker processes (its children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_postgresql_restart_and_a_killed_worker_under_load_lose_nothing(cluster, gunicorn):
    global DEADLINE
    DEADLINE = time.monotonic() + DEADLINE_SECONDS
    questionnaires = load_questionnaires(ROOT / "questionnaires")
    roles = sorted(questionnaires)
    port, master, log = gunicorn
    outage = Outage()
    crowd = [
        Respondent(i, ("da", "sv")[i % 2], questionnaires[roles[(i // 2) % 2]], port, outage)
        for i in range(RESPONDENTS)
    ]
    errors: list[BaseException] = []

    def run(respondent: Respondent) -> None:
        try:
            respondent.take_part()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = {r.number: threading.Thread(target=run, args=(r,), daemon=True) for r in crowd}
    try:
        # The late submitters answer every page first and wait at the button; then the crowd.
        for number in LATE_SUBMITS:
            threads[number].start()
        wait_for(
            lambda: outage.parked == set(LATE_SUBMITS) or errors,
            30,
            lambda: f"late submitters at the button: {outage.parked}, {errors[:3]}",
        )
        assert not errors, errors
        crowd_steps = sum(
            len(r.questionnaire.dimensions) for r in crowd if r.number not in LATE_SUBMITS
        )
        before = outage.saved_steps
        for number, thread in threads.items():
            if number not in LATE_SUBMITS:
                thread.start()
        wait_for(
            lambda: outage.saved_steps - before >= crowd_steps // 3 or errors,
            30,
            lambda: f"a third of the pages saved: {outage.saved_steps - before} of {crowd_steps}",
        )
        assert not errors, errors
        cluster.stop()
        outage.down_from = time.monotonic()
        outage.begun.set()
        waiting = [r for r in crowd if not r.done]

        def everyone_waiting_has_seen_a_503() -> bool:
            refused = {number for number, _kind in outage.refused}
            return (
                {r.number for r in waiting} <= refused
                and {(n, "start") for n in LATE_STARTS} <= outage.refused
                and {(n, "submit") for n in LATE_SUBMITS} <= outage.refused
            )

        wait_for(
            lambda: everyone_waiting_has_seen_a_503() or errors,
            15,
            lambda: f"503 pages: {outage.pages}, {outage.wrong[:5]}, {errors[:3]}",
        )
        outage.down_until = time.monotonic()
        cluster.start()
        # And a worker dies under the crowd: gunicorn starts another, requests cut off are sent
        # again. (A child of the gunicorn this test started, killed by its pid.)
        os.kill(workers_of(master)[0], signal.SIGKILL)
        for thread in threads.values():
            thread.join(timeout=max(0.1, DEADLINE - time.monotonic()))
    finally:
        DEADLINE = 0.0  # respondents still running stop at their next request
    assert not errors, (errors, last_traceback(log))
    assert not outage.wrong, (outage.wrong[:10], last_traceback(log))
    assert all(r.done for r in crowd), [r.number for r in crowd if not r.done]
    assert len(waiting) >= RESPONDENTS // 2, "the outage came too late to catch the crowd"
    # 503 pages were checked in both languages, on each kind of form.
    assert all(outage.pages[kind, lang] for kind in ("start", "step", "submit")
               for lang in ("da", "sv")), outage.pages  # fmt: skip

    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT token, status, answers, notes, organisation FROM assessment")
            ).all()
    finally:
        engine.dispose()
    by_token = {row.token: row for row in stored}
    for respondent in crowd:
        row = by_token.get(respondent.token)
        assert row is not None and row.status == "submitted", respondent.number
        answers = row.answers if isinstance(row.answers, dict) else json.loads(row.answers)
        assert {k: plain(v) for k, v in answers.items()} == {
            k: plain(v) for k, v in respondent.answers.items()
        }, respondent.number
        assert row.notes == respondent.notes and row.organisation == respondent.organisation
    others = [row for row in stored if row.token not in {r.token for r in crowd}]
    assert all(row.status == "draft" and not row.answers for row in others), others
    answers_sent = sum(len(r.answers) for r in crowd)
    print(  # the figures of the run, shown with -s
        f"{RESPONDENTS} respondents: {sum(r.done for r in crowd)} submitted intact, "
        f"{answers_sent} answers and {sum(len(r.notes) for r in crowd)} notes, none lost; "
        f"503 pages checked during the outage: {dict(outage.pages)}; "
        f"outage {outage.down_until - outage.down_from:.1f} s; lost starts: {len(others)}; "
        f"requests cut off by the killed worker: {outage.cut_off}"
    )
