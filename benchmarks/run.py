"""Scale benchmark: one command, one table, measured in one run on this machine.

    .venv/bin/python benchmarks/run.py [--sizes 10,50,193] [--seed 1] [--workers 0]
                                       [--out benchmarks/results.md]

For each size N it generates inputs with `wgreport demo-data --members N` and measures:

- validation of every contribution (`wgreport validate` of the edition's folder), and of
  one contribution file (the median of five runs: the whole process, as a member runs it);
- the full build on the default set-up (`wgreport build`: the project's background Prefect
  server, which the unmeasured warm-up build of another group started, see `warm_up`, and
  the warm builder beside it, which runs the build in a child; cold part and chart caches);
- the same build on Prefect's temporary server (`WGREPORT_PREFECT_SERVER=temporary`, the
  embedded default before the background server), in a Prefect home of its own: Prefect's
  task cache lives in the home, and the default build after it must start cold;
- the same build against a running local Prefect server (`wgreport server`);
- the bare render: WeasyPrint alone on the newest draft's print HTML, in one process (the
  floor one core sets);
- a rebuild after one member's contribution changed (part cache warm);
- the peak resident memory of each build: its whole process tree (the build, Prefect's
  temporary server, the render workers) summed, sampled every 0.25 s.

It ends with the issue's targets, each checked against the largest size measured.

Each time is given with its ratio to the bare render of the same N, and the build's cost
per member. Times are single runs (a 193-member build takes minutes); rerun to see the
spread. The result is printed and written to `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WGREPORT = str(BIN / "wgreport")
YEAR = 2024

BARE_RENDER = """
import sys, time
from pathlib import Path
from wgreport.build import pipeline, plan
from wgreport.figures.drawing import make_charts
from wgreport.inputs.edition import load_edition_inputs
from wgreport.render.html import render_html, render_pdf
loaded = load_edition_inputs(Path(sys.argv[1]), int(sys.argv[3]))
prev, frames = pipeline.compute_frames(loaded)
charts = make_charts(frames, loaded.working_group, prev is not None)
ctx = pipeline.make_context(loaded, plan.make_build_info(1), frames, charts, prev)
html = render_html(ctx, Path(sys.argv[2]), for_print=True)
started = time.perf_counter()
render_pdf(html, Path(sys.argv[2]), image_roots=pipeline.image_folders(loaded))
print(time.perf_counter() - started)
"""


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    output: str


def tree_rss_mb(root: int) -> float:
    """The resident memory of a process and all its descendants, summed (from /proc), with
    the builds the warm builder forked for it (src/wgreport/runtime/warm.py: a `wgreport
    build` there is a stand-in; the build runs in a child of the builder, counted with its
    render workers; the idle builder itself is not)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    builders: set[int] = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="utf-8") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as fh:
                if b"wgreport.cli.builder" in fh.read():
                    builders.add(int(entry.name))
            parents[int(entry.name)] = int(fields[1])
            rss[int(entry.name)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    forked = {pid for pid in builders if parents.get(pid) in builders}
    tree, frontier = {root, *forked}, [root, *forked]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier += children
    return sum(rss.get(pid, 0) for pid in tree) / 2**20


def run(cmd: list[str], env: dict[str, str]) -> Run:
    """Run a command; its wall time and its peak memory: the resident memory of the whole
    process tree (the build, Prefect's server, the render workers) summed, sampled every
    0.25 s, or the largest single process's peak (wait4) if that is more."""
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.25):
            peak[0] = max(peak[0], tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.stdout.read()
    done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Run(seconds, max(peak[0], usage.ru_maxrss / 1024), proc.returncode, output)


def must(result: Run, what: str) -> Run:
    if result.code != 0:
        raise SystemExit(f"{what} failed (exit {result.code}):\n{result.output[-3000:]}")
    return result


def change_one_member(inputs: Path) -> str:
    """Edit the first member's summary (a real content change of one chapter)."""
    folder = inputs / str(YEAR) / "contributions"
    path = sorted(folder.glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(
        r"(?m)^summary: [|>]-?\n", lambda m: m.group(0) + "  Revised. ", text, count=1
    )
    if count == 0:
        new = text.replace("\nsummary: ", "\nsummary: Revised. ", 1)
    path.write_text(new, encoding="utf-8")
    return path.stem


def copy_database(home: Path, to: Path) -> None:
    """A copy of the Prefect database of `home` (migrated by the warm-up, its background
    server running) as the database of a new Prefect home `to`, through SQLite's backup
    API (a consistent copy of a database in use); nothing of `home`'s task cache."""
    import sqlite3

    to.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(home / "prefect.db")
    target = sqlite3.connect(to / "prefect.db")
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    server = subprocess.Popen(
        [WGREPORT, "server", "--port", str(port)], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("Prefect UI:"):
            break
    else:
        raise SystemExit(f"wgreport server ended before it was ready (exit {server.wait()})")
    # Keep reading its output, or a full pipe would stall it.
    import threading

    threading.Thread(target=server.stdout.read, daemon=True).start()
    time.sleep(3)
    return server


def stop_server(server: subprocess.Popen[str]) -> None:
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def measure(size: int, seed: int, workers: int, work: Path, port: int) -> dict[str, float]:
    base = work / f"n{size}"
    inputs, env = base / "inputs", {**os.environ, "PREFECT_HOME": str(work / "prefect-embedded")}
    env.pop("PREFECT_API_URL", None)
    env.pop("WGREPORT_CACHE_DIR", None)  # the measured builds start with empty caches of their own
    must(run([WGREPORT, "demo-data", "--members", str(size), "--year", str(YEAR),
              "--seed", str(seed), "--out", str(inputs)], env), "demo-data")  # fmt: skip
    validate = run([WGREPORT, "validate", str(inputs / str(YEAR)), "--inputs", str(inputs)], env)
    if validate.code not in (0, 1):
        must(validate, "validate")
    one = sorted((inputs / str(YEAR) / "contributions").glob("*.yaml"))[0]
    singles = sorted(run([WGREPORT, "validate", str(one)], env).seconds for _ in range(5))

    def build(outputs: Path, extra_env: dict[str, str] | None = None) -> Run:
        cmd = [WGREPORT, "build", "--year", str(YEAR), "--inputs", str(inputs),
               "--outputs", str(outputs), "--workers", str(workers)]  # fmt: skip
        return must(run(cmd, {**env, **(extra_env or {})}), f"build of {size} members")

    # Its own Prefect home, on a copy of the warmed database: Prefect's task cache (the
    # validations, the aggregation and the charts are cached by the edition's files) is
    # kept in the home, so a temporary build in the embedded home made the "cold" embedded
    # build that follows take those three from it, its chart cache never filled, and the
    # rebuild draw every chart again (measured at 10 members: 0.70-0.79x cold, 2.5 s of
    # charts, against 0.44x when the cold build is cold).
    temporary_home = work / f"prefect-temporary-{size}"
    copy_database(work / "prefect-embedded", temporary_home)
    temporary = build(
        base / "out-temporary",
        {"WGREPORT_PREFECT_SERVER": "temporary", "PREFECT_HOME": str(temporary_home)},
    )
    embedded = build(base / "out-embedded")
    # The server keeps its own Prefect home: no SQLite lock shared with other builds.
    server = start_server({**env, "PREFECT_HOME": str(work / "prefect-server")}, port)
    try:
        served = build(base / "out-server", {"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    finally:
        stop_server(server)
    bare = must(run([sys.executable, "-c", BARE_RENDER, str(inputs), str(ROOT / "templates"),
                     str(YEAR)], env), "bare render")  # fmt: skip
    bare_seconds = float(bare.output.strip().splitlines()[-1])
    changed = change_one_member(inputs)
    rebuild = build(base / "out-embedded")
    manifest = json.loads(
        (base / "out-embedded" / str(YEAR) / "latest" / "manifest.json").read_text("utf-8")
    )
    print(f"  {size}: changed {changed}; rebuild render {manifest.get('render')}", flush=True)
    return {
        "members": size,
        "pages": manifest["pages"],
        "validate": validate.seconds,
        "validate_one": singles[2],  # the median of five
        "embedded": embedded.seconds,
        "temporary": temporary.seconds,
        "server": served.seconds,
        "bare": bare_seconds,
        "rebuild": rebuild.seconds,
        "peak_mb": max(embedded.peak_mb, served.peak_mb, rebuild.peak_mb),
        "parts_rendered": float(manifest.get("render", {}).get("parts_rendered", -1)),
        "parts": float(manifest.get("render", {}).get("parts", -1)),
    }


def table(rows: list[dict[str, float]], workers: int) -> str:
    lines = [
        "| members | pages | validate all | validate one file | build, default "
        "| build, temporary server | build, wgreport server | bare render "
        "| one-member rebuild | peak RSS | cost per member (server) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        bare = r["bare"]
        lines.append(
            f"| {r['members']:.0f} | {r['pages']:.0f} | {r['validate']:.1f} s "
            f"| {r['validate_one']:.2f} s "
            f"| {r['embedded']:.1f} s ({r['embedded'] / bare:.2f}×) "
            f"| {r['temporary']:.1f} s ({r['temporary'] / bare:.2f}×) "
            f"| {r['server']:.1f} s ({r['server'] / bare:.2f}×) | {bare:.1f} s (1×) "
            f"| {r['rebuild']:.1f} s ({r['rebuild'] / r['embedded']:.2f}× cold; "
            f"{r['parts_rendered']:.0f} of {r['parts']:.0f} parts) "
            f"| {r['peak_mb']:.0f} MB | {r['server'] / r['members']:.2f} s |"
        )
    cores = os.cpu_count()
    return (
        f"# Scale benchmark\n\nMeasured {dt.date.today().isoformat()} on {platform.node()} "
        f"({cores} cores used, Python {platform.python_version()}) by `.venv/bin/python "
        f"benchmarks/run.py --workers {workers}` (render workers: "
        f"{'auto' if workers == 0 else workers}). Ratios: build times to the bare render of "
        "the same size; the rebuild to the cold embedded build. Single runs.\n\n"
        + "\n".join(lines)
        + "\n"
        + targets(rows)
    )


def targets(rows: list[dict[str, float]]) -> str:
    """The issue's targets, checked against the largest size (and 50 for cost per member)."""
    if not rows:
        return ""
    big = max(rows, key=lambda r: r["members"])
    n = f"{big['members']:.0f}"
    checks = [
        (f"{r['members']:.0f} members, default build ≤ 1.3 × bare render",
         r["embedded"] / r["bare"], 1.3, "×")
        for r in rows if r["members"] == 10
    ] + [
        (f"{r['members']:.0f} members, one-member change ≤ 0.35 × cold build",
         r["rebuild"] / r["embedded"], 0.35, "×")
        for r in rows if r["members"] == 10
    ] + [
        (f"{n} members, default build ≤ 0.65 × bare render",
         big["embedded"] / big["bare"], 0.65, "×"),
        (f"{n} members, build with a running server ≤ 0.65 × bare render",
         big["server"] / big["bare"], 0.65, "×"),
        (f"one-member change at {n} ≤ 0.25 × cold build",
         big["rebuild"] / big["embedded"], 0.25, "×"),
        (f"peak memory of a {n}-member build ≤ 1.5 GB", big["peak_mb"] / 1024, 1.5, " GB"),
        (f"embedded start-up overhead above the server run ≤ 8 s (at {n})",
         big["embedded"] - big["server"], 8.0, " s"),
    ]  # fmt: skip
    fifty = [r for r in rows if r["members"] == 50]
    if fifty and big["members"] > 50:
        ratio = (big["server"] / big["members"]) / (fifty[0]["server"] / 50)
        checks.append((f"cost per member at {n} ≤ 1.15 × at 50", ratio, 1.15, "×"))
    checks.append(("`wgreport validate` one file, whole process ≤ 0.5 s",
                   rows[0]["validate_one"], 0.5, " s"))  # fmt: skip
    out = ["", "| target | measured | result |", "|---|---:|---|"]
    for what, value, limit, unit in checks:
        out.append(f"| {what} | {value:.2f}{unit} | {'met' if value <= limit else 'missed'} |")
    return "\n".join(out) + "\n"


def warm_up(work: Path, workers: int) -> None:
    """One unmeasured build of another group (its own seed) on the embedded default first:
    it creates the embedded Prefect home's database and warms what every later build would
    find warm anyway (the OS file cache, fontconfig's and matplotlib's caches, compiled
    bytecode), so that the first measured build does not pay for them alone. The measured
    builds still start with empty part and chart caches (outputs of their own) and their
    own inputs (nothing of this build's validation is cached for them)."""
    inputs = work / "warm-up" / "inputs"
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-embedded")}
    env.pop("PREFECT_API_URL", None)
    env.pop("WGREPORT_CACHE_DIR", None)
    must(run([WGREPORT, "demo-data", "--members", "10", "--year", str(YEAR),
              "--seed", "999", "--out", str(inputs)], env), "demo-data")  # fmt: skip
    print("warm-up build (not measured)", flush=True)
    outputs = work / "warm-up" / "outputs"
    must(run([WGREPORT, "build", "--year", str(YEAR), "--inputs", str(inputs), "--outputs",
              str(outputs), "--workers", str(workers)], env), "warm-up")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,193")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="0: auto")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wgreport-scale-"))
    rows = []
    warm_up(work, args.workers)
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {size} members in {work}", flush=True)
        rows.append(measure(size, args.seed, args.workers, work, 4390 + size % 100))
        print(table(rows, args.workers), flush=True)
    from wgreport.runtime import background

    background.stop(work / "prefect-embedded")  # the warm-up build started it
    args.out.write_text(table(rows, args.workers), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
