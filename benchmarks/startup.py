"""Start-up overhead of the embedded Prefect default against a running server.

    .venv/bin/python benchmarks/startup.py [--runs 3] [--label TEXT] [--port 4395]
                                           [--out benchmarks/results-startup.md]

Measured in one run on this machine, the demo edition (the project's `inputs/`, read only;
every output in a temporary folder), alternating the two modes run after run:

- (a) `wgreport build --year 2024` on the embedded default (no PREFECT_API_URL: Prefect
  starts its temporary server for the build and stops it afterwards);
- (b) the same build with PREFECT_API_URL pointing at a `wgreport server` started
  beforehand (benchmarks/run.py's start_server/stop_server);
- (c) the bare Prefect cost: a trivial flow (five mapped tasks) in a fresh interpreter,
  on the embedded default and on the server;
- (d) the embedded server on its own: the client's import of the module that starts it,
  and the time from the start until it answers its health check.

Each mode has its own PREFECT_HOME (embedded; the server's; the client of the server), so
no SQLite database is shared. One build of each mode first warms them (the embedded one
creates its database: its time is shown as "first build"). Builds report wall time, the
CPU seconds of the build and every process it waited for (the temporary server included),
and the time until the first stage line ("[1/7]"). The server keeps running during the
embedded runs, so both see the same background load. Medians of `--runs`; the table is
printed and appended to `--out` under `--label`.

With `--ablation`, every round also measures the embedded default with Prefect's own
defaults for the settings wgreport gives the temporary server (wgreport.runtime.settings.
TEMPORARY_SERVER), in the same Prefect home: what those settings alone change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# benchmarks/ is on sys.path when this file runs: reuse the scale benchmark's server helpers.
from run import ROOT, WGREPORT, start_server, stop_server

YEAR = 2024
FIRST_STAGE = "[1/7]"

TRIVIAL_FLOW = """
from wgreport.runtime.settings import configure_prefect_environment, get_settings
configure_prefect_environment(get_settings(), temporary_server=True)
from prefect import flow, task

@task
def one(x: int) -> int:
    return x + 1

@flow(name="startup-probe")
def probe() -> int:
    return sum(one.map(range(5)).result())

assert probe() == 15
"""

HEALTH_PROBE = """
import json, time
from wgreport.runtime.settings import configure_prefect_environment, get_settings
configure_prefect_environment(get_settings(), temporary_server=True)
import prefect
started = time.perf_counter()
from prefect.server.api.server import SubprocessASGIServer
imported = time.perf_counter()
server = SubprocessASGIServer()
server.start()
healthy = time.perf_counter()
server.stop()
print(json.dumps({"import": imported - started, "healthy": healthy - imported}))
"""

# Prefect's own defaults for wgreport's temporary-server settings (run without PREFECT_*).
PREFECT_DEFAULTS = """
import json
from prefect.settings.models.root import Settings
from wgreport.runtime.settings import TEMPORARY_SERVER
env = Settings().to_environment_variables(exclude_unset=False)
print(json.dumps({name: env[name] for name in TEMPORARY_SERVER}))
"""

# The Prefect settings wgreport sets for a build (besides PREFECT_HOME), for the record.
APPLIED_SETTINGS = """
import json, os
from wgreport.runtime.settings import configure_prefect_environment, get_settings
before = dict(os.environ)
configure_prefect_environment(get_settings(), temporary_server=True)
print(json.dumps({k: v for k, v in os.environ.items() if k not in before and k != "PREFECT_HOME"}))
"""


@dataclass
class Timed:
    seconds: float
    cpu: float
    first_stage: float | None
    code: int
    output: str


def timed(cmd: list[str], env: dict[str, str]) -> Timed:
    """Run a command: wall time, CPU of it and its children, time of the first stage line."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    first: float | None = None
    lines = []
    for line in proc.stdout:
        if first is None and FIRST_STAGE in line:
            first = time.perf_counter() - started
        lines.append(line)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    # ru_* of wait4 cover the process and the descendants it waited for.
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(seconds, cpu, first, os.waitstatus_to_exitcode(status), "".join(lines))


def must(result: Timed, what: str) -> Timed:
    if result.code != 0:
        raise SystemExit(f"{what} failed (exit {result.code}):\n{result.output[-3000:]}")
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=4395)
    parser.add_argument("--label", default="", help="heading of this run in the results file")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-startup.md")
    parser.add_argument(
        "--ablation",
        action="store_true",
        help="also the embedded default with Prefect's defaults for TEMPORARY_SERVER",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="wgreport-startup-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    embedded = {**base, "PREFECT_HOME": str(work / "prefect-embedded")}
    client = {**base, "PREFECT_HOME": str(work / "prefect-client"),
              "PREFECT_API_URL": f"http://127.0.0.1:{args.port}/api"}  # fmt: skip
    python = sys.executable
    modes = [("embedded", embedded), ("server", client)]
    if args.ablation:
        stock = subprocess.run(
            [python, "-c", PREFECT_DEFAULTS], env=base, capture_output=True, text=True,
            check=True, cwd=ROOT,
        ).stdout  # fmt: skip
        modes.append(("stock", {**embedded, **json.loads(stock)}))

    def build(env: dict[str, str], outputs: str) -> Timed:
        cmd = [WGREPORT, "build", "--year", str(YEAR), "--inputs", str(ROOT / "inputs"),
               "--outputs", str(work / outputs)]  # fmt: skip
        return must(timed(cmd, env), f"build ({outputs})")

    results: dict[str, list[float]] = {}

    def add(key: str, value: float | None) -> None:
        if value is not None:
            results.setdefault(key, []).append(value)

    print(f"measuring in {work}", flush=True)
    server = start_server({**base, "PREFECT_HOME": str(work / "prefect-server")}, args.port)
    try:
        first_embedded = build(embedded, "out-embedded")
        first_server = build(client, "out-server")
        print(f"warm-up: embedded {first_embedded.seconds:.1f} s, "
              f"server {first_server.seconds:.1f} s", flush=True)  # fmt: skip
        for i in range(args.runs):
            for mode, env in modes:
                b = build(env, f"out-{mode}")
                add(f"build {mode}", b.seconds)
                add(f"build cpu {mode}", b.cpu)
                add(f"first stage {mode}", b.first_stage)
                t = must(timed([python, "-c", TRIVIAL_FLOW], env), f"trivial flow ({mode})")
                add(f"trivial {mode}", t.seconds)
                add(f"trivial cpu {mode}", t.cpu)
                print(
                    f"run {i + 1}/{args.runs} {mode}: build {b.seconds:.1f} s (cpu {b.cpu:.1f} s,"
                    f" first stage {b.first_stage or 0:.1f} s), trivial flow {t.seconds:.1f} s"
                    f" (cpu {t.cpu:.1f} s)",
                    flush=True,
                )
            for mode, env in modes:
                if mode == "server":
                    continue
                h = must(timed([python, "-c", HEALTH_PROBE], env), "health probe")
                probe = json.loads(h.output.strip().splitlines()[-1])
                add(f"server import {mode}", probe["import"])
                add(f"healthy {mode}", probe["healthy"])
                add(f"health cpu {mode}", h.cpu)
                print(
                    f"run {i + 1}/{args.runs} health ({mode}): import {probe['import']:.1f} s,"
                    f" healthy after {probe['healthy']:.1f} s, cpu {h.cpu:.1f} s",
                    flush=True,
                )
    finally:
        stop_server(server)

    def cell(key: str) -> str:
        return f"{median(results[key]):.1f} s" if key in results else "—"

    def pair(name: str, key: str) -> str:
        e, s = median(results[f"{key} embedded"]), median(results[f"{key} server"])
        extra = f" {cell(f'{key} stock')} |" if args.ablation else ""
        return f"| {name} | {e:.1f} s | {s:.1f} s | **{e - s:+.1f} s** |{extra}"

    def single(name: str, key: str) -> str:
        extra = f" {cell(f'{key} stock')} |" if args.ablation else ""
        return f"| {name} | {cell(f'{key} embedded')} | — | |{extra}"

    n = args.runs
    rows = [
        f"| what (median of {n}, alternating) | embedded default | `wgreport server` "
        "| embedded − server |"
        + (" embedded, Prefect's defaults for TEMPORARY_SERVER |" if args.ablation else ""),
        "|---|---:|---:|---:|" + ("---:|" if args.ablation else ""),
        pair("(a, b) `wgreport build --year 2024`, wall", "build"),
        pair("(a, b) the same, CPU of the build and its child processes", "build cpu"),
        pair("(a, b) the same, until the first stage line", "first stage"),
        pair("(c) trivial flow (5 mapped tasks) in a fresh interpreter, wall", "trivial"),
        pair("(c) the same, CPU", "trivial cpu"),
        single(
            "(d) client: import of `prefect.server.api.server` (to start the temporary server)",
            "server import",
        ),
        single("(d) temporary server: start until its health check answers", "healthy"),
        single("(d) the same probe (import, start, stop), CPU with the server's", "health cpu"),
        f"| warm-up (not in the medians): first build, fresh PREFECT_HOME "
        f"| {first_embedded.seconds:.1f} s | {first_server.seconds:.1f} s | |"
        + (" |" if args.ablation else ""),
    ]
    load = os.getloadavg()
    settings = subprocess.run(
        [python, "-c", APPLIED_SETTINGS], env=base, capture_output=True, text=True, check=True,
        cwd=ROOT,
    ).stdout.strip()  # fmt: skip
    text = (
        f"## {args.label or 'Run'}, {dt.datetime.now().isoformat(timespec='minutes')}\n\n"
        f"On {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end) by "
        f"`.venv/bin/python benchmarks/startup.py --runs {n}{' --ablation' * args.ablation}`. "
        "Prefect settings wgreport "
        f"sets for the embedded default: `{settings}`.\n\n" + "\n".join(rows) + "\n\n"
        "Raw values: `"
        + json.dumps({k: [round(x, 2) for x in v] for k, v in results.items()})
        + "`\n\n"
    )
    print(text)
    if not args.out.exists():
        args.out.write_text(
            "# Start-up of the embedded Prefect default\n\n"
            "`benchmarks/startup.py`: see its docstring for what each row measures. Newest "
            "run last.\n\n",
            encoding="utf-8",
        )
    with args.out.open("a", encoding="utf-8") as out:
        out.write(text)
    print(f"appended to {args.out}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
