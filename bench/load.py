"""Load on the served stack: nginx in front of two gunicorn instances, on PostgreSQL and Redis.

The same stack and respondents as tests/test_load.py (deploy/serve.py's Stack, tests/load_client),
measured rather than checked: 200 respondents at once (each starts, answers every page, saves,
resumes and submits) for the sustained rate and the latencies, then an open loop at 150
questionnaire requests a second for 20 s, issue 12's target of p99 under 1 s. An open loop that
falls more than 5 s behind stops, and its figures say how far it got.

Needs BENCH_LOAD_DATABASE_URL (PostgreSQL; its schema is emptied) and BENCH_LOAD_REDIS_URL (a
Redis database that is emptied). Writes bench/load_results.json.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get("BENCH_LOAD_DATABASE_URL", "")
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "")
RESPONDENTS = int(os.environ.get("BENCH_LOAD_RESPONDENTS", "200"))
RATES = [float(r) for r in os.environ.get("BENCH_LOAD_RATES", "50,100,150").split(",")]
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
P99_TARGET_MS = 1000.0
TARGET_RATE = 150.0


def main() -> None:
    out = ROOT / "bench" / "load_results.json"
    if not DATABASE_URL.startswith("postgresql") or not REDIS_URL:
        print("bench/load.py: set BENCH_LOAD_DATABASE_URL (PostgreSQL, emptied) and "
              "BENCH_LOAD_REDIS_URL (emptied) to measure the served stack; skipped")  # fmt: skip
        out.unlink(missing_ok=True)
        return
    import redis

    from app.core.questionnaire_loader import load_questionnaires
    from deploy.serve import Stack
    from tests import load_client, test_load

    test_load.POSTGRES_URL = DATABASE_URL
    test_load.empty_database()
    redis.Redis.from_url(REDIS_URL).flushdb()
    port = test_load.free_port()
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": DATABASE_URL,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": REDIS_URL,
        "WEB_CONCURRENCY": "2",
        # Every simulated respondent comes from 127.0.0.1 (see tests/test_load.py).
        "RATE_LIMITS": json.dumps({"questionnaire": test_load.RAISED, "forms": test_load.RAISED}),
    }
    stack = Stack(env, port, [test_load.free_port(), test_load.free_port()],
                  Path(tempfile.mkdtemp(prefix="bench-load-")), python=sys.executable)  # fmt: skip
    stack.start(timeout=90)
    questionnaires = load_questionnaires(ROOT / "questionnaires")
    results: dict = {"machine_load_average_at_start": os.getloadavg()[0]}
    try:
        test_load.warm_up(stack, questionnaires)
        pool, futures, run = load_client.closed_loop(
            port, env["PUBLIC_URL"], questionnaires, RESPONDENTS, seed=5
        )
        try:
            run = load_client.finish(pool, futures, run, timeout=600)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        results["respondents_at_once"] = {
            **run.summary(),
            "5xx_or_cut_off": len(run.recorder.server_errors()),
        }
        print(json.dumps({"respondents at once": results["respondents_at_once"]}), flush=True)
        results["open_loop"] = {}
        for rate in RATES:
            time.sleep(2)  # let the previous run's queues drain
            opened = load_client.open_loop(port, env["PUBLIC_URL"], questionnaires, rate, SECONDS)
            figures = {**opened.summary(), "stopped_overloaded": bool(opened.failures)}
            results["open_loop"][str(rate)] = figures
            print(json.dumps({f"open loop at {rate}/s": figures}), flush=True)
    finally:
        stack.stop()
    at_target = results["open_loop"].get(str(TARGET_RATE))
    results["target"] = {"rate_per_s": TARGET_RATE, "p99_ms": P99_TARGET_MS}
    results["meets_target"] = bool(
        at_target and not at_target["stopped_overloaded"] and at_target["p99_ms"] < P99_TARGET_MS
    )
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
