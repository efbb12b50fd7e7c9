"""Benchmark the advisors' list and dashboard with 1,000 and with 100,000 seeded assessments.

For each size: a fresh database (SQLite files in a temporary folder, or BENCH_DATABASE_URL for
PostgreSQL, emptied first), `flask dev seed`'s function, an advisor logged in over HTTP with both
steps, and gunicorn with one worker. One connection at a time, rounds interleaved (trivial route,
list, trivial route, dashboard), so that a slow moment of the machine hits every target alike.
The figures: medians in milliseconds, each also as a ratio to the trivial route; the list's cost at
the largest size over its cost at the smallest; the EXPLAIN plans of the list's two queries.
Writes bench/advisor_results.json and prints it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [int(n) for n in os.environ.get("BENCH_ADVISOR_SIZES", "1000,100000").split(",")]
REQUESTS = int(os.environ.get("BENCH_ADVISOR_REQUESTS", "60"))
TARGETS = {"list_ms": 150.0, "dashboard_ms": 150.0, "list_growth": 1.5}
EMAIL = "bench@dsi.dk"
PASSWORD = "Kaffe-bord-hest-9271"  # noqa: S105 (a made-up account on a throw-away database)


def prepare(database_url: str, size: int) -> dict:
    """Migrate, seed `size` assessments, make the advisor; the seconds and the list's plans."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-" * 8)
    import pyotp
    from flask_migrate import upgrade
    from sqlalchemy import event, text

    from app import create_app
    from app.advisor import accounts
    from app.devtools import seed
    from app.extensions import db
    from app.review.listing import Filters, sent_assessments

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        seconds = seed(size)
        advisor = accounts.create(EMAIL, "Bench Rådgiver", PASSWORD, "advisor")
        advisor.totp_secret = pyotp.random_base32()
        advisor.totp_confirmed_at = accounts.now()
        db.session.commit()
        secret = advisor.totp_secret
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        # The statements the list's first page runs, and how the database plans them.
        statements: list[tuple[str, object]] = []

        def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        sent_assessments(Filters())
        event.remove(db.engine, "before_cursor_execute", keep)
        plans = []
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in statements:
                cursor.execute(explain + statement, parameters)
                plans.append(
                    {
                        "query": " ".join(statement.split())[:160],
                        "plan": [" ".join(str(c) for c in row) for row in cursor.fetchall()],
                    }
                )
        finally:
            raw.close()
        db.session.remove()
        db.engine.dispose()
    return {"seed_seconds": round(seconds, 1), "secret": secret, "plans": plans}


class Browser:
    """One connection's cookies, kept across requests like a browser keeps them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {"lang": "da"}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
            return response.status, text
        finally:
            conn.close()

    def timed(self, path: str) -> float:
        start = time.perf_counter()
        status, _text = self.request("GET", path)
        elapsed = (time.perf_counter() - start) * 1000
        if status != 200:
            raise SystemExit(f"{status} for {path}")
        return elapsed


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if not found:
        raise SystemExit("no CSRF token on the login page")
    return found.group(1)


def log_in(browser: Browser, secret: str) -> None:
    """Both login steps, as an advisor takes them."""
    import pyotp

    _s, page = browser.request("GET", "/da/raadgiver/log-ind")
    status, _t = browser.request(
        "POST",
        "/da/raadgiver/log-ind",
        {"csrf_token": csrf_of(page), "email": EMAIL, "password": PASSWORD},
    )
    if status != 302:
        raise SystemExit(f"password step answered {status}")
    _s, page = browser.request("GET", "/da/raadgiver/kode")
    code = pyotp.TOTP(secret).now()
    status, _t = browser.request(
        "POST", "/da/raadgiver/kode", {"csrf_token": csrf_of(page), "code": code}
    )
    if status != 302:
        raise SystemExit(f"code step answered {status}")


def measure(database_url: str, secret: str) -> dict:
    """Medians of the list and the dashboard on gunicorn with one worker."""
    from bench.run import free_port

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" * 8,
        "APP_ENV": "production",
        "RATELIMIT_ENABLED": "false",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--log-level", "warning", "app:create_app()"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        browser = Browser(port)
        for _ in range(200):
            try:
                if browser.request("GET", "/livez")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        log_in(browser, secret)
        paths = {"list": "/da/raadgiver/", "dashboard": "/da/raadgiver/overblik"}
        first_view = browser.timed(paths["dashboard"])  # computes the figures, draws the charts
        browser.timed(paths["list"])
        times: dict[str, list[float]] = {"trivial": [], "list": [], "dashboard": []}
        for _ in range(REQUESTS):
            for name in ("list", "dashboard"):
                times["trivial"].append(browser.timed("/livez"))
                times[name].append(browser.timed(paths[name]))
        later_page = browser.timed(paths["list"] + "?page=40")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    trivial = statistics.median(times["trivial"])
    figures = {
        name: {
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(sorted(values)[int(0.95 * (len(values) - 1))], 2),
            "ratio_to_trivial": round(statistics.median(values) / trivial, 2),
        }
        for name, values in times.items()
        if name != "trivial"
    }
    return {
        "trivial_median_ms": round(trivial, 2),
        **figures,
        "dashboard_first_view_ms": round(first_view, 1),
        "list_page_40_ms": round(later_page, 1),
    }


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-advisor-"))
    given = os.environ.get("BENCH_DATABASE_URL")
    results: dict = {"requests_per_page": REQUESTS, "sizes": {}}
    for size in SIZES:
        database_url = given or f"sqlite:///{workdir / f'advisor-{size}.db'}"
        prepared = prepare(database_url, size)
        measured = measure(database_url, prepared["secret"])
        results["database"] = database_url.split(":", 1)[0]
        results["sizes"][str(size)] = {
            "seed_seconds": prepared["seed_seconds"],
            **measured,
            "list_plans": prepared["plans"],
        }
        print(json.dumps({size: measured}, indent=2), flush=True)
        if not given:
            Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    small, large = (results["sizes"][str(n)] for n in (min(SIZES), max(SIZES)))
    results["list_growth"] = {
        "by_median": round(large["list"]["median_ms"] / small["list"]["median_ms"], 2),
        "by_ratio_to_trivial": round(
            large["list"]["ratio_to_trivial"] / small["list"]["ratio_to_trivial"], 2
        ),
        # The list's own time (less the trivial route's): steadier when the trivial route's
        # couple of milliseconds move between the two servers.
        "by_excess_over_trivial": round(
            (large["list"]["median_ms"] - large["trivial_median_ms"])
            / (small["list"]["median_ms"] - small["trivial_median_ms"]),
            2,
        ),
    }
    results["targets"] = TARGETS
    results["meets_targets"] = {
        "list_ms": large["list"]["median_ms"] < TARGETS["list_ms"],
        "dashboard_ms": large["dashboard"]["median_ms"] < TARGETS["dashboard_ms"],
        "list_growth": results["list_growth"]["by_excess_over_trivial"] <= TARGETS["list_growth"],
    }
    out = ROOT / "bench" / "advisor_results.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
