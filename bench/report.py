"""Write bench/RESULTS.md from the benchmarks' JSON files (bench/run.py, advisor.py, load.py).

One readable page: the machine, then every figure with its median, its spread over the rounds,
its target and whether the target is met. `make bench` runs it after the two benchmarks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def met(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**not met**")


def ratio_row(name: str, figure: dict, target: float | None, flag: bool | None) -> str:
    spread = figure["ratio_spread"]
    aim = f"≥ {target}" if target is not None else "—"
    return (
        f"| {name} | {spread['median']} | {spread['min']}–{spread['max']} | "
        f"{figure['rps']} | {aim} | {met(flag)} |"
    )


def load_lines(load: dict) -> list[str]:
    """bench/load.py's figures: the served stack under respondents at once and an open loop."""
    once = load["respondents_at_once"]
    lines = [
        "## The served stack under load (bench/load.py)",
        "",
        "nginx in front of two gunicorn instances (2 workers each) on PostgreSQL and Redis, with",
        "the client on the same machine. Respondents start, answer every page, save, resume and",
        "submit; latency counts from when a request was due.",
        "",
        "| run | requests | rate | p50 | p99 | 5xx | submitted |",
        "|---|---|---|---|---|---|---|",
        f"| {once['respondents']} respondents at once | {once['requests']} | "
        f"{once['rate_per_s']}/s | {once['p50_ms']} ms | {once['p99_ms']} ms | "
        f"{once['5xx_or_cut_off']} | {once['submitted']} of {once['respondents']} |",
    ]
    for rate, figures in load["open_loop"].items():
        stopped = " (stopped: more than 5 s behind)" if figures["stopped_overloaded"] else ""
        lines.append(
            f"| open loop at {float(rate):g}/s{stopped} | {figures['requests']} | "
            f"{figures['rate_per_s']}/s | {figures['p50_ms']} ms | {figures['p99_ms']} ms | "
            f"{sum(n for s, n in figures['statuses'].items() if int(s) >= 500)} | — |"
        )
    target = load["target"]
    lines += [
        "",
        f"Target: p99 under {target['p99_ms']:g} ms at {target['rate_per_s']:g} requests a second: "
        f"{met(load['meets_target'])}.",
        "",
    ]
    return lines


def render(results: dict, advisor: dict | None, load: dict | None = None) -> str:
    machine = results.get("machine", {})
    targets, meets = results["targets"], results["meets_targets"]
    figures = results["figures"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py, bench/advisor.py, then bench/report.py). Each page",
        "figure is requests per second as a ratio to the trivial route `/livez` on the same",
        f"gunicorn ({results['gunicorn_workers']} workers, preloaded, {results['database']}), "
        f"measured in {results['rounds']} interleaved rounds of",
        f"{results['requests_per_measurement']} requests from {results['concurrency']} client "
        "threads: the median round, and the lowest and highest.",
        "",
        "## The machine",
        "",
        *(f"- {key}: {value}" for key, value in machine.items()),
        "",
        "## Pages, as a ratio to the trivial route",
        "",
        f"The trivial route served {results['trivial_rps']} requests a second (rounds "
        f"{results['trivial_rps_spread']['min']}–{results['trivial_rps_spread']['max']}).",
        "",
        "| figure | ratio (median) | rounds | req/s | target | |",
        "|---|---|---|---|---|---|",
        ratio_row(
            "toolbox page", figures["toolbox_page"], targets["toolbox_page_ratio"],
            meets["toolbox_page_ratio"],
        ),
        ratio_row(
            "stored result, repeat view", figures["results_repeat_view"],
            targets["results_repeat_view_ratio"], meets["results_repeat_view_ratio"],
        ),
        ratio_row(
            "questionnaire page GET", figures["questionnaire_page"],
            targets["questionnaire_page_ratio"], meets["questionnaire_page_ratio"],
        ),
        ratio_row("submit (POST, scores and stores)", figures["submit"], None, None),
        "",
    ]  # fmt: skip
    static = results.get("static_export_through_nginx")
    if static:
        spread = static["ratio_to_toolbox_page_through_gunicorn"]
        lines += [
            "The same toolbox page from the static export (`flask export-static`), served by nginx",
            f"with deploy/nginx-static.conf: {static['rps']} requests a second, "
            f"{spread['median']} times the page through gunicorn (rounds "
            f"{spread['min']}–{spread['max']}).",
            "",
        ]
    simulator = results["simulator_page_n10000_ms"]
    startup = results["startup_s"]
    idle = results["idle_worker_memory_mb"]
    after = results["worker_memory_after_run_mb"]
    lines += [
        "## Times and memory",
        "",
        "| figure | result | target | |",
        "|---|---|---|---|",
        f"| first radar of a new result | {results['first_chart_render_ms']} ms (median of 15) | "
        f"≤ {targets['first_chart_render_ms']} ms | {met(meets['first_chart_render_ms'])} |",
        f"| first radar of a questionnaire and language in a worker (its frame drawn too) | "
        f"{results.get('first_radar_frame_ms', '—')} ms (median of 15) | — | — |",
        f"| one simulation at n = 10,000, slowest case | "
        f"{max(results['simulation_n10000_ms'].values())} ms | "
        f"≤ {targets['simulation_n10000_ms']} ms | {met(meets['simulation_n10000_ms'])} |",
        f"| simulator page at n = 10,000, new scenario | median {simulator['median']} ms, "
        f"p95 {simulator['p95']} ms ({simulator['requests']} requests) | "
        f"< {targets['simulator_page_n10000_ms']} ms | {met(meets['simulator_page_n10000_ms'])} |",
        f"| start-up: import and build the app | median {startup['median']} s "
        f"({startup['min']}–{startup['max']}, {startup['runs']} runs; the first start of a "
        f"release, which builds the content: {startup.get('first_start_of_a_release', '—')} s) | "
        f"< {targets['startup_s']} s | {met(meets['startup_s'])} |",
        f"| idle worker, resident | {idle['max_rss']} MB (its own: "
        f"{max(w['private'] for w in idle['workers'])} MB, PSS "
        f"{max(w['pss'] for w in idle['workers'])} MB) | < {targets['idle_worker_rss_mb']} MB | "
        f"{met(meets['idle_worker_rss_mb'])} |",
        f"| worker after the run (charts drawn) | {after['max_rss']} MB (its own: "
        f"{max(w['private'] for w in after['workers'])} MB) | "
        f"< {targets['worker_rss_after_run_mb']} MB | {met(meets['worker_rss_after_run_mb'])} |",
        "",
    ]
    if advisor:
        lines += [
            "## The advisors' list and dashboard (bench/advisor.py)",
            "",
            "One gunicorn worker, one connection at a time, rounds interleaved with the trivial",
            f"route, {advisor['requests_per_page']} requests per page, on {advisor['database']}.",
            "",
            "| assessments | list | dashboard | dashboard, first view after a change |",
            "|---|---|---|---|",
        ]
        for size, figures_at in advisor["sizes"].items():
            lines.append(
                f"| {int(size):,} | {figures_at['list']['median_ms']} ms | "
                f"{figures_at['dashboard']['median_ms']} ms | "
                f"{figures_at.get('dashboard_first_view_ms', '—')} ms |"
            )
        growth = advisor["list_growth"]
        lines += [
            "",
            f"The list's cost over the trivial route grows {growth['by_excess_over_trivial']} "
            f"times from the smallest to the largest size (target ≤ "
            f"{advisor['targets']['list_growth']}: {met(advisor['meets_targets']['list_growth'])}"
            f"); targets list < {advisor['targets']['list_ms']} ms "
            f"({met(advisor['meets_targets']['list_ms'])}) and dashboard < "
            f"{advisor['targets']['dashboard_ms']} ms "
            f"({met(advisor['meets_targets']['dashboard_ms'])}).",
            "",
        ]
    if load:
        lines += load_lines(load)
    return "\n".join(lines)


def main() -> None:
    results_file = BENCH / "results.json"
    if not results_file.exists():
        sys.exit("bench/results.json is missing: run bench/run.py first")
    results = json.loads(results_file.read_text())
    advisor_file = BENCH / "advisor_results.json"
    advisor = json.loads(advisor_file.read_text()) if advisor_file.exists() else None
    load_file = BENCH / "load_results.json"
    load = json.loads(load_file.read_text()) if load_file.exists() else None
    out = BENCH / "RESULTS.md"
    out.write_text(render(results, advisor, load))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
