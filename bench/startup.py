"""Start-up time of one or more checkouts, measured as bench/run.py does, runs interleaved.

    .venv/bin/python bench/startup.py [N] [CHECKOUT ...]    (default: 7 runs of this checkout)

Each run is `python -c "from app import create_app; create_app()"` in a fresh interpreter, in the
checkout with PYTHONPATH on it, its bytecode compiled and its content built (the first start of a
release, not counted, builds instance/built/). With several checkouts the runs alternate (old,
new, old, new, ...), so that a busy moment of the machine hits each alike. Reported per checkout:
the median and the range of the wall time, and the median of the CPU time the run used (less
moved by other work on a shared machine than the wall time).
"""

from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = "from app import create_app; create_app()"


def run(checkout: Path, env: dict) -> tuple[float, float]:
    """Wall and CPU seconds of one start-up."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", CODE], cwd=checkout, env=env, check=True)  # noqa: S603
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    checkouts = [Path(p).resolve() for p in sys.argv[2:]] or [ROOT]
    database = Path(tempfile.mkdtemp(prefix="startup-")) / "startup.db"
    envs = {
        checkout: {
            **os.environ,
            "SECRET_KEY": "bench-" * 8,
            "DATABASE_URL": f"sqlite:///{database}",
            "PYTHONPATH": str(checkout),
        }
        for checkout in checkouts
    }
    for checkout in checkouts:
        compileall.compile_dir(checkout / "app", quiet=1)
        run(checkout, envs[checkout])  # builds instance/built/ if this release has none yet
    times: dict[Path, list[tuple[float, float]]] = {checkout: [] for checkout in checkouts}
    for _ in range(runs):
        for checkout in checkouts:
            times[checkout].append(run(checkout, envs[checkout]))
    for checkout, measured in times.items():
        wall = [w for w, _ in measured]
        cpu = [c for _, c in measured]
        print(
            f"{checkout}: median {statistics.median(wall):.3f} s "
            f"(min {min(wall):.3f}, max {max(wall):.3f}; N={runs}), "
            f"CPU median {statistics.median(cpu):.3f} s"
        )


if __name__ == "__main__":
    main()
