"""The build on Prefect: reliability of the embedded default, and where the time goes.

    .venv/bin/python benchmarks/prefect_runs.py [--runs 5] [--reliability 20] [--out FILE]

1. Reliability: `wgreport build --year 2024` N times in a row on the embedded default
   (each starts and stops its own temporary server); counts successes and start-up
   timeouts.
2. Speed, median of `--runs` each, measured in one run on this machine:
   - `wgreport build --year 2024` on the embedded default;
   - the same against a running `wgreport server` (PREFECT_API_URL set);
   - WeasyPrint alone on the same report (the print variant of the newest draft's HTML,
     with the same stylesheet, fetcher and options), in a fresh interpreter: the floor.
Prints a table and records it in the results file (benchmarks/results-prefect.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WGREPORT = BIN / "wgreport"

# The same bare render as the scale benchmark (this folder is on sys.path when run).
from run import BARE_RENDER  # noqa: E402


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    return time.perf_counter() - started, proc.returncode, proc.stdout + proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reliability", type=int, default=20)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-prefect.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wgreport-bench-"))
    env = {**os.environ, "PREFECT_HOME": str(ROOT / ".prefect")}
    env.pop("PREFECT_API_URL", None)
    env.pop("WGREPORT_CACHE_DIR", None)  # the build cache in the run's own outputs
    build = [str(WGREPORT), "build", "--year", "2024", "--outputs", str(work / "outputs")]
    rows: list[tuple[str, str]] = []

    ok = timeouts = 0
    durations = []
    for i in range(args.reliability):
        seconds, code, output = timed(build, env)
        durations.append(seconds)
        ok += code == 0
        timeouts += "timed out" in output.lower() or "timeout" in output.lower()
        print(
            f"reliability run {i + 1}/{args.reliability}: exit {code}, {seconds:.1f} s", flush=True
        )
    if args.reliability:
        rows.append((f"embedded default: {args.reliability} consecutive builds",
                     f"{ok} succeeded, {timeouts} start-up timeouts, "
                     f"median {statistics.median(durations):.1f} s"))  # fmt: skip

    embedded = [timed(build, env)[0] for _ in range(args.runs)]
    print(f"embedded: {embedded}", flush=True)

    port = 4377
    server = subprocess.Popen(
        [str(WGREPORT), "server", "--port", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("Prefect UI:"):
                break
        time.sleep(3)
        served = {**env, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        against_server = [timed(build, served)[0] for _ in range(args.runs)]
        print(f"server: {against_server}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)

    bare = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, "-c", BARE_RENDER, str(ROOT / "inputs"), str(ROOT / "templates"),
             "2024"],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout  # fmt: skip
        bare.append(float(out.strip().splitlines()[-1]))
    print(f"bare: {bare}", flush=True)
    floor = statistics.median(bare)
    for label, values in (
        ("`wgreport build --year 2024`, embedded default", embedded),
        ("`wgreport build --year 2024`, against `wgreport server`", against_server),
        ("WeasyPrint alone on the same report (the floor)", bare),
    ):
        median = statistics.median(values)
        rows.append((f"{label}, median of {len(values)}",
                     f"{median:.1f} s ({median / floor:.1f}× the bare render)"))  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)

    header = (
        f"# Prefect runs\n\nMeasured {dt.date.today().isoformat()} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}) by "
        "`.venv/bin/python benchmarks/prefect_runs.py`.\n\n| what | result |\n|---|---|\n"
    )
    table = header + "".join(f"| {a} | {b} |\n" for a, b in rows)
    print(table)
    args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
