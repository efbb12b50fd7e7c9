"""Benchmark on gunicorn at 127.0.0.1: each figure also as a ratio to a trivial route (/livez).

Rounds are interleaved (trivial, page A, trivial, page B, ...) so that a slow moment of the machine
hits every target alike. Bounded: a fixed number of requests per measurement, all to 127.0.0.1.
Writes bench/results.json; bench/report.py turns it and bench/advisor_results.json into
bench/RESULTS.md.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.load_client import workers_of  # noqa: E402 (the project root is on the path now)

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SIMULATOR_REQUESTS = int(os.environ.get("BENCH_SIMULATOR_REQUESTS", "40"))
TARGETS = {
    "toolbox_page_ratio": 0.8,
    "results_repeat_view_ratio": 0.8,
    "questionnaire_page_ratio": 0.4,
    "first_chart_render_ms": 100.0,
    "simulation_n10000_ms": 50.0,
    "simulator_page_n10000_ms": 150.0,
    "startup_s": 1.5,
    "idle_worker_rss_mb": 50.0,
    "worker_rss_after_run_mb": 120.0,
}
STARTUP_RUNS = 5
# Hard cases for the simulator: success rates just above the target make the exact walk longest.
SIMULATIONS = [
    {"success_rate": 0.6, "target_rate": 0.5, "dropout_rate": 0.0},
    {"success_rate": 0.51, "target_rate": 0.5, "dropout_rate": 0.0},
    {"success_rate": 0.5005, "target_rate": 0.5, "dropout_rate": 0.0},
    {"success_rate": 0.56, "target_rate": 0.5, "dropout_rate": 0.1},
    {"success_rate": 0.3, "target_rate": 0.5, "dropout_rate": 0.2},
]


def time_simulations() -> dict:
    """Milliseconds for one whole simulation with n = 10,000, per hard case (best of 5)."""
    from app.core.simulator import Scenario, log_factorials, simulate

    log_factorials()  # built once per process, like a worker after its first request
    times = {}
    for case in SIMULATIONS:
        scenario = Scenario(participants=10_000, payment_per_success=50_000, **case)
        best = min(_elapsed(lambda s=scenario: simulate(s)) for _ in range(5))
        times[f"p={case['success_rate']} t={case['target_rate']} d={case['dropout_rate']}"] = best
    return times


def _elapsed(call) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    call()
    return round((time.perf_counter() - start) * 1000, 2)


def time_startup(env: dict) -> dict:
    """Seconds for a fresh interpreter to import and build the app (median of STARTUP_RUNS).

    As a release is installed: its bytecode compiled, and its content built once (the first start
    of a release, timed apart, builds instance/built/; app/core/built.py).
    """
    import compileall
    import shutil

    compileall.compile_dir(ROOT / "app", quiet=1)
    code = "from app import create_app; create_app()"

    def once() -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)  # noqa: S603
        return time.perf_counter() - start

    shutil.rmtree(ROOT / "instance" / "built", ignore_errors=True)
    first = once()
    times = [once() for _ in range(STARTUP_RUNS)]
    return {
        "runs": STARTUP_RUNS,
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
        "first_start_of_a_release": round(first, 3),
    }


def memory_mb(pid: int) -> dict:
    """A process's resident memory: all of it (RSS), its share of shared pages (PSS), its own."""
    status = Path(f"/proc/{pid}/status").read_text()
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()

    def kb(text: str, name: str) -> int:
        return int(text.split(f"{name}:", 1)[1].split()[0])

    private = kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty")
    return {
        "rss": round(kb(status, "VmRSS") / 1024, 1),
        "pss": round(kb(rollup, "Pss") / 1024, 1),
        "private": round(private / 1024, 1),
    }


def workers_memory(master: int) -> dict:
    """Each worker's memory, and the largest RSS of them."""
    each = [memory_mb(pid) for pid in workers_of(master)]
    return {"max_rss": max(m["rss"] for m in each), "workers": each}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # A returning visitor's browser sends the remembered language, for every route alike.
    headers = {"Cookie": "lang=da", **(headers or {})}
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def rate(port: int, paths: list[tuple[str, str, bytes | None, dict]]) -> float:
    """Requests per second for this list of requests, sent by CONCURRENCY threads."""
    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        statuses = list(pool.map(lambda p: request(port, *p), paths))
    elapsed = time.perf_counter() - start
    bad = [s for s in statuses if s >= 400]  # a submit answers 302 to the result
    if bad:
        raise SystemExit(f"{len(bad)} failed requests, e.g. {bad[0]} for {paths[0][1]}")
    return len(paths) / elapsed


def latency_ms(port: int, path: str) -> float:
    """Milliseconds for one request on its own (nothing else in flight)."""
    start = time.perf_counter()
    status = request(port, "GET", path)
    if status != 200:
        raise SystemExit(f"{status} for {path}")
    return (time.perf_counter() - start) * 1000


def new_scenarios(count: int, offset: int) -> list[str]:
    """Simulator pages with 10,000 participants, each a scenario no worker has drawn before."""
    return [
        "/da/betalingssimulator?participants=10000&target_rate=50&dropout_rate=10"
        "&cost_per_participant=40.000&payment_rule=per_success&payment_per_success=90.000"
        f"&success_rate=60,{offset + i:04d}"
        for i in range(count)
    ]


def csrf_session(port: int) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser would get them from a form page."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/da/selvevaluering/")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = "; ".join(c.split(";", 1)[0] for c in response.msg.get_all("Set-Cookie"))
    conn.close()
    marker = 'name="csrf_token" type="hidden" value="'
    token = html.split(marker, 1)[1].split('"', 1)[0]
    return cookie, token


NGINX = "/usr/sbin/nginx"


def start_static_export(workdir: Path) -> tuple[subprocess.Popen, int] | None:
    """`flask export-static` into workdir, served by nginx with deploy/nginx-static.conf."""
    if not Path(NGINX).exists():
        print(f"{NGINX} is missing ('make setup-test' installs it): no static export figure")
        return None
    import pwd

    from app import create_app
    from app.static_export import nginx_config

    site = workdir / "site"
    result = (
        create_app()
        .test_cli_runner()
        .invoke(args=["export-static", str(site), "--public-url", "http://127.0.0.1:1"])
    )
    if result.exit_code != 0:
        raise SystemExit(f"export-static failed: {result.output}")
    prefix = workdir / "nginx"
    prefix.mkdir()
    port = free_port()
    user = pwd.getpwuid(os.geteuid()).pw_name
    (prefix / "nginx.conf").write_text(nginx_config(site, port, prefix, user))
    process = subprocess.Popen(  # noqa: S603 (Debian's nginx, our own configuration)
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "e.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            if request(port, "GET", "/da/") == 200:
                return process, port
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("nginx did not serve the static export")
        time.sleep(0.05)


def machine() -> dict[str, str]:
    """What the figures were measured on: they mean little without it."""
    import platform

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    nginx = "not installed"
    if Path(NGINX).exists():
        found = subprocess.run([NGINX, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
        nginx = found.stderr.strip().removeprefix("nginx version: ")
    git = ["git", "rev-parse", "--short", "HEAD"]  # git from PATH, a fixed command
    commit = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    commit = commit.stdout.strip()
    from importlib.metadata import version

    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit or "unknown",
        "CPU": f"{cpu}, {os.cpu_count()} logical CPUs",
        "memory": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "load average at the start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "nginx": nginx,
    }


def spread(values: list[float], digits: int = 3) -> dict:
    """A figure's median over the rounds, with the lowest and highest round."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


def seed(database_url: str) -> dict:
    """Drafts to submit, one submitted result, and the first-chart timing, made in-process."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-" * 8)
    from app import create_app
    from app.assessment import report, service
    from app.extensions import db
    from app.models import Assessment
    from tests.assessment_helpers import form_value

    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        questionnaire = app.extensions["questionnaires"]["kommune"]
        answers = {q.id: form_value(q) for q in questionnaire.questions.values() if q.scored}
        for q in questionnaire.questions.values():
            if q.type == "number" and not q.scored:
                answers[q.id] = q.max
        drafts = []
        for _ in range(REQUESTS * ROUNDS + 2):
            a = Assessment(
                questionnaire_id="kommune",
                questionnaire_version=questionnaire.version,
                lang="da",
                organisation="Bench Kommune",
                programme="Bench",
                answers=answers,
                notes={},
            )
            db.session.add(a)
            drafts.append(a)
        db.session.commit()
        tokens = [a.token for a in drafts]
        done = drafts[-1]
        service.submit(done)
        # First chart render: a new result in a warm worker (fonts loaded, and the radar frame of
        # its questionnaire and language kept from an earlier result), median of 15. Also the
        # first radar of a questionnaire and language in a worker: the frame is drawn too.
        with app.test_request_context("/da/"):
            from flask import g

            from app.core import charts

            g.lang = "da"
            view = report.result_view(done, "da")
            report.radar_svg(view, done)  # warm-up: import matplotlib and load fonts once
            times, framed = [], []
            for _ in range(15):
                start = time.perf_counter()
                report.radar_svg(view, done)
                times.append((time.perf_counter() - start) * 1000)
                with charts._FRAMES_LOCK:
                    charts._FRAMES.clear()
                start = time.perf_counter()
                report.radar_svg(view, done)
                framed.append((time.perf_counter() - start) * 1000)
        draft_for_page = tokens[0]
    return {
        "submit_tokens": tokens[1:-1],
        "result_token": done.token,
        "page_token": draft_for_page,
        "first_chart_render_ms": round(statistics.median(times), 1),
        "first_radar_frame_ms": round(statistics.median(framed), 1),
    }


def main() -> None:
    described = machine()
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.db'}")
    startup = time_startup(
        {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-" * 8,
         "PYTHONPATH": str(ROOT)}
    )  # fmt: skip
    seeded = seed(database_url)
    simulations = time_simulations()
    static = start_static_export(workdir)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" * 8,
        "APP_ENV": "production",
        # Measured here is the app; the limits (app/limits.py) would refuse a benchmark's load.
        "RATELIMIT_ENABLED": "false",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
         "--log-level", "warning", "--preload", "app:create_app()"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/livez") == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        for _ in range(100):  # every worker up, each having answered /livez or about to
            if len(workers_of(server.pid)) == WORKERS:
                break
            time.sleep(0.1)
        for _ in range(WORKERS * 2):
            request(port, "GET", "/livez")
        time.sleep(0.5)
        idle_memory = workers_memory(server.pid)
        token, page = seeded["result_token"], seeded["page_token"]
        result_path = f"/da/selvevaluering/{token}/resultat"
        request(port, "GET", result_path)  # the first view draws the chart; later views reuse it
        for _ in range(WORKERS * 2):
            request(port, "GET", result_path)
        targets = {
            # A toolbox step as a reader gets it: a public page, stored once per worker
            # (app/public.py); the request asks for the whole page, not a 304.
            "toolbox_page": [("GET", "/da/vaerktoejskasse/betalingsmodel", None, {})] * REQUESTS,
            "questionnaire_page": [("GET", f"/da/selvevaluering/{page}/trin/3", None, {})]
            * REQUESTS,
            "results_repeat_view": [("GET", result_path, None, {})] * REQUESTS,
        }
        submit_tokens = iter(seeded["submit_tokens"])
        cookie, csrf = csrf_session(port)
        form = {"Cookie": f"{cookie}; lang=da", "Content-Type": "application/x-www-form-urlencoded"}
        ratios: dict[str, list[float]] = {name: [] for name in [*targets, "submit"]}
        rates: dict[str, list[float]] = {name: [] for name in [*targets, "submit", "trivial"]}
        trivial = [("GET", "/livez", None, {})] * REQUESTS
        static_over_toolbox: list[float] = []
        static_rates: list[float] = []
        simulator_ms: list[float] = []
        simulator_trivial_ms: list[float] = []
        per_round = max(1, SIMULATOR_REQUESTS // ROUNDS)
        for round_number in range(ROUNDS):
            # A new scenario each time (a decimal changed), alternating with the trivial route.
            for path in new_scenarios(per_round, round_number * per_round):
                simulator_trivial_ms.append(latency_ms(port, "/livez"))
                simulator_ms.append(latency_ms(port, path))
            for name, paths in [*targets.items(), ("submit", None)]:
                base = rate(port, trivial)
                if paths is None:
                    paths = [
                        (
                            "POST",
                            f"/da/selvevaluering/{next(submit_tokens)}/indsend",
                            f"csrf_token={csrf}".encode(),
                            form,
                        )
                        for _ in range(REQUESTS)
                    ]
                measured = rate(port, paths)
                rates["trivial"].append(base)
                rates[name].append(measured)
                ratios[name].append(measured / base)
                if name == "toolbox_page" and static is not None:
                    # The same page from the export, through nginx, right after gunicorn's.
                    served = rate(static[1], [(m, p, b, h) for m, p, b, h in paths])
                    static_rates.append(served)
                    static_over_toolbox.append(served / measured)
        # After the run: charts drawn, pages stored, the simulator's tables built.
        memory_after_run = workers_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if static is not None:
            static[0].send_signal(signal.SIGTERM)
            static[0].wait(timeout=30)
    results = {
        "machine": described,
        "requests_per_measurement": REQUESTS,
        "rounds": ROUNDS,
        "concurrency": CONCURRENCY,
        "gunicorn_workers": WORKERS,
        "database": database_url.split(":", 1)[0],
        "trivial_rps": round(statistics.median(rates["trivial"]), 1),
        "trivial_rps_spread": spread(rates["trivial"], 1),
        "figures": {
            name: {
                "rps": round(statistics.median(rates[name]), 1),
                "ratio_to_trivial": round(statistics.median(ratios[name]), 3),
                "ratio_spread": spread(ratios[name]),
            }
            for name in ratios
        },
        "static_export_through_nginx": {
            "rps": round(statistics.median(static_rates), 1),
            "ratio_to_toolbox_page_through_gunicorn": spread(static_over_toolbox, 2),
        }
        if static_rates
        else None,
        "first_chart_render_ms": seeded["first_chart_render_ms"],
        "first_radar_frame_ms": seeded["first_radar_frame_ms"],
        "simulation_n10000_ms": simulations,
        "simulator_page_n10000_ms": {
            "requests": len(simulator_ms),
            "median": round(statistics.median(simulator_ms), 1),
            "p95": round(sorted(simulator_ms)[int(0.95 * (len(simulator_ms) - 1))], 1),
            "trivial_median": round(statistics.median(simulator_trivial_ms), 2),
            "ratio_to_trivial": round(
                statistics.median(simulator_ms) / statistics.median(simulator_trivial_ms), 1
            ),
        },
        "startup_s": startup,
        "idle_worker_memory_mb": idle_memory,
        "worker_memory_after_run_mb": memory_after_run,
        "targets": TARGETS,
    }
    results["meets_targets"] = {
        "toolbox_page_ratio": results["figures"]["toolbox_page"]["ratio_to_trivial"]
        >= TARGETS["toolbox_page_ratio"],
        "results_repeat_view_ratio": results["figures"]["results_repeat_view"]["ratio_to_trivial"]
        >= TARGETS["results_repeat_view_ratio"],
        "questionnaire_page_ratio": results["figures"]["questionnaire_page"]["ratio_to_trivial"]
        >= TARGETS["questionnaire_page_ratio"],
        "first_chart_render_ms": results["first_chart_render_ms"]
        <= TARGETS["first_chart_render_ms"],
        "simulation_n10000_ms": max(simulations.values()) <= TARGETS["simulation_n10000_ms"],
        "simulator_page_n10000_ms": results["simulator_page_n10000_ms"]["median"]
        <= TARGETS["simulator_page_n10000_ms"],
        "startup_s": startup["median"] <= TARGETS["startup_s"],
        "idle_worker_rss_mb": idle_memory["max_rss"] <= TARGETS["idle_worker_rss_mb"],
        "worker_rss_after_run_mb": memory_after_run["max_rss"]
        <= TARGETS["worker_rss_after_run_mb"],
    }
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
