"""Kill builds with SIGKILL at 20 moments across the stages; check what survives.

    .venv/bin/python benchmarks/killtest.py [--cli] [--points a,b,...] [--record]

Set-up: a copy of the demo inputs, two drafts and a final. Then for each kill point of
tests/support/killpoints.py: snapshot the published folders and inputs/, start a build in a
subprocess (`--cli`: `wgreport build`, the Prefect flow on its embedded server, with task
caching refreshed; default: the library build; the chart cache emptied either way, so that
every stage runs), SIGKILL it (its whole process group) when it reaches the point, then
check:

- no partial draft is visible (every visible folder matches its SHA256SUMS);
- every earlier draft is unchanged, and the earlier final's content is still visible;
- inputs/ is byte-identical;
- the next build succeeds, in spite of the lock file the killed one held, and leaves no
  temporary name behind.

`--record` appends the results to benchmarks/results-hardening.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.support.crashcheck import leftovers, problems_after_kill, published  # noqa: E402
from tests.support.killpoints import POINTS, build_command, run_and_kill  # noqa: E402
from wgreport.build.publish import digest_tree  # noqa: E402

ENV = {
    "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    "WGREPORT_BUILD_TIME": "2025-03-15T09:00:00+00:00",
    "PREFECT_TASKS_REFRESH_CACHE": "true",  # --cli: every stage runs, none is cached
}


def next_build(inputs: Path, outputs: Path, cli: bool, marker: Path) -> tuple[int, float]:
    command = build_command("none", marker, inputs, outputs, cli=cli)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **ENV}, capture_output=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace")[-3000:])
    return done.returncode, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", action="store_true", help="kill `wgreport build` (Prefect)")
    parser.add_argument("--points", default="", help="comma-separated subset")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    os.environ.pop("WGREPORT_CACHE_DIR", None)  # the builds keep their own, empty cache
    points = [p for p in POINTS if not args.points or p.name in args.points.split(",")]
    base = Path(tempfile.mkdtemp(prefix="wgreport-killtest-"))
    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    outputs = base / "outputs"
    year_dir = outputs / "2024"
    marker = base / "reached"
    for flags in ([], [], ["--final"]):
        command = build_command("none", marker, inputs, outputs, cli=False)
        subprocess.run([*command, *flags], cwd=ROOT, env={**os.environ, **ENV}, check=True)
    inputs_digest = digest_tree(inputs)
    rows = []
    for point in points:
        before = published(year_dir)
        # The library's own chart cache too, so that the charts stage draws (the part cache
        # stays: the render stage starts the same way with or without it).
        shutil.rmtree(outputs / ".cache" / "charts", ignore_errors=True)
        command = build_command(
            point.name, marker, inputs, outputs, cli=args.cli, final=point.final
        )
        result = run_and_kill(command, marker, env=ENV)
        problems = problems_after_kill(year_dir, before, inputs, inputs_digest)
        if not result.reached:
            problems.append(f"the build ended (exit {result.returncode}) before the point")
        code, seconds = next_build(inputs, outputs, args.cli, base / "unused")
        if code != 0:
            problems.append(f"the next build failed (exit {code})")
        left = leftovers(year_dir)
        if left:
            problems.append(f"left after the next build: {left}")
        problems += problems_after_kill(year_dir, before, inputs, inputs_digest)
        ok = not problems
        rows.append((point.name, point.stage, ok, "; ".join(problems), seconds))
        print(
            f"{point.name:16} {point.stage:12} {'survived' if ok else 'FAILED: '}"
            f"{'' if ok else '; '.join(problems)}  (next build {seconds:.0f} s)",
            flush=True,
        )
    survived = sum(1 for r in rows if r[2])
    drafts = len(list((year_dir / "drafts").glob("[0-9]*")))
    print(f"{survived} of {len(rows)} kill points survived; {drafts} drafts in the end")
    if args.record:
        record(rows, args.cli, drafts)
    shutil.rmtree(base, ignore_errors=True)
    return 0 if survived == len(rows) else 1


def record(rows: list[tuple[str, str, bool, str, float]], cli: bool, drafts: int) -> None:
    path = ROOT / "benchmarks" / "results-hardening.md"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    how = "`wgreport build` (Prefect flow, embedded server)" if cli else "the library build"
    lines = [
        f"\n### Kill test: {how}, {when}\n",
        f"`.venv/bin/python benchmarks/killtest.py{' --cli' if cli else ''} --record`: "
        f"{sum(r[2] for r in rows)} of {len(rows)} kill points survived ({drafts} drafts "
        "published in all, none incomplete).\n",
        "| kill point | stage | result |",
        "|---|---|---|",
    ]
    lines += [
        f"| {n} | {s} | {'survived' if ok else 'FAILED: ' + why} |" for n, s, ok, why, _ in rows
    ]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
