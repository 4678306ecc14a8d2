"""`wgreport preview` against the targets of issue 41 (not the member's one-chapter
preview of the portal: that is benchmarks/preview.py, issue 38).

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/live_preview.py [--sizes 10,193]
        [--reloads 5] [--chapter-runs 3] [--saves 50] [--out benchmarks/results-preview-live.md]

For each size: an inputs folder (a copy of the demo inputs for 10; `wgreport demo-data
--members N` otherwise) and an empty outputs folder (so the parts cache starts empty);
`wgreport preview` in its own process on a free loopback port (tests/support/livepreview.py),
and measures:

- `cold`: the preview's first build (validate, aggregate, charts, context, HTML) plus its
  first whole PDF laid out with an empty parts cache, as the preview reports them: the
  cold build the ratio below is taken against;
- `reload`: in headless Chromium (tools/browser/live.mjs), from a save of the foreword
  with a new sentence until the reloaded page shows it, `--reloads` times;
- `chapter pages`: from a save of one member's text (a sentence added to its summary)
  until that chapter's new PDF pages are drawn as images (the preview's status says so;
  this script asks it every 50 ms), `--chapter-runs` times, each once the PDF before is
  done; and its ratio to `cold`;
- `memory`: the preview's resident memory (its own process, and with its child processes:
  the render workers) after 5 and after `--saves` saves of the member's file (each save
  waited for until its build is done, not its PDF).

With `--no-pdf` the preview runs without its background PDF and only `cold` (the first
build alone) and `reload` are measured: the save-to-page time without the layout beside it.

Prints the table and appends a dated section to `--out`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support

from tests.support.livepreview import Running, drive, live_preview  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark
from preview import sized_inputs  # noqa: E402

YEAR = 2024


def _with_sentence(original: str, run: int) -> str:
    found = re.search(r"^summary: [|>][-+]?\n(\s+)", original, re.M)
    if found is None:
        raise SystemExit("the member's file has no block summary to change")
    at = found.end()
    return original[:at] + f"Benchmark save {run} added this sentence. " + original[at:]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def memory(pid: int) -> tuple[float, float]:
    """MiB resident: the preview's process, and with its descendants."""
    own = _rss_kib(pid)
    total = own
    for child in _descendants(pid):
        with contextlib.suppress(OSError):
            total += _rss_kib(child)
    return own / 1024, total / 1024


def _wait(run: Running, test: Any, timeout: float = 1800) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = run.status()
        if test(status):
            return status
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for the preview: {run.status()}")


def _whole(status: dict[str, Any]) -> bool:
    """Whether the status tells of a whole PDF made (not only changed chapters' pages)."""
    return status["pdf"] is not None and bool(status["pdf"]["complete"])


def measure(
    size: int, reloads: int, chapter_runs: int, saves: int, pdf: bool = True
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="wgreport-live-") as tmp:
        folder = Path(tmp)
        inputs, code = sized_inputs(size, folder)
        member = inputs / str(YEAR) / "contributions" / f"{code}.yaml"
        foreword = inputs / str(YEAR) / "foreword.md"
        original, opening = member.read_text(encoding="utf-8"), foreword.read_text("utf-8")
        chapter = f"member-{code.lower()}"
        more = () if pdf else ("--no-pdf",)
        with live_preview(inputs, folder / "outputs", *more, ready_seconds=1800) as run:
            first = _wait(run, _whole if pdf else lambda s: s["build"] >= 1)
            cold = float(first["seconds"]) + (float(first["pdf"]["seconds"]) if pdf else 0.0)
            print(
                f"{size} members: cold {first['seconds']:.1f} s"
                + (f" + PDF {first['pdf']['seconds']:.1f} s ({first['pdf']['pages']} pages)"
                   if pdf else " (no PDF)"),
                flush=True,
            )  # fmt: skip
            steps = [
                {"name": f"reload {n}", "path": str(foreword),
                 "content": opening + f"\nThe benchmark's sentence number {n}.\n",
                 "text": f"The benchmark's sentence number {n}."}
                for n in range(1, reloads + 1)
            ]  # fmt: skip
            seen = drive(run.url, steps, folder, timeout_ms=120_000)
            reload_ms = [s["ms"] for s in seen["steps"] if s["ok"]]
            if len(reload_ms) != reloads:
                raise SystemExit(f"a reload was not seen: {seen}")
            in_place = sum(1 for s in seen["steps"] if s.get("reloaded") is False)
            # the preview's own time for each of those saves' rebuilds (its log)
            logged = run.log.read_text(encoding="utf-8")
            rebuilt = [
                float(t) for t in re.findall(r"foreword\.md: build \d+ in ([\d.]+) s", logged)
            ]
            print(
                f"  saves to page (ms): {reload_ms}; {in_place} changed in place, "
                f"{reloads - in_place} reloaded; the rebuilds (s): {rebuilt}",
                flush=True,
            )
            if not pdf:
                return {"size": size, "code": code, "cold": cold, "reload_ms": reload_ms,
                        "in_place": in_place, "rebuilt": rebuilt, "chapter_s": [],
                        "memory": {}, "saves": 0, "pages": 0}  # fmt: skip
            _wait(run, lambda s: _whole(s) and s["pdf"]["build"] == s["build"])
            chapter_s = []
            for n in range(1, chapter_runs + 1):
                before = run.status()["build"]
                saved = time.monotonic()
                member.write_text(_with_sentence(original, n), encoding="utf-8")
                done = _wait(
                    run,
                    lambda s, b=before: (
                        s["pdf"] is not None
                        and s["pdf"]["build"] > b
                        and chapter in s["pdf"]["images"]
                    ),
                )
                chapter_s.append(time.monotonic() - saved)
                print(f"  {chapter} pages after {chapter_s[-1]:.1f} s "
                      f"({len(done['pdf']['images'][chapter])} pages)", flush=True)  # fmt: skip
                _wait(run, lambda s: _whole(s) and s["pdf"]["build"] == s["build"])
            marks: dict[int, tuple[float, float]] = {}
            for n in range(1, saves + 1):
                before = run.status()["build"]
                member.write_text(_with_sentence(original, 100 + n), encoding="utf-8")
                _wait(run, lambda s, b=before: s["build"] > b)
                if n in (5, saves):
                    marks[n] = memory(run.proc.pid)
                    print(f"  after {n} saves: {marks[n][0]:.0f} MiB "
                          f"({marks[n][1]:.0f} MiB with its workers)", flush=True)  # fmt: skip
    return {"size": size, "code": code, "cold": cold, "reload_ms": reload_ms,
            "in_place": in_place, "chapter_s": chapter_s, "memory": marks, "saves": saves,
            "pages": first["pdf"]["pages"]}  # fmt: skip


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s" if values else "-"


def _page_only(args: Any, results: list[dict[str, Any]], load: tuple[float, ...]) -> list[str]:
    """The section's lines after its title, for a run with --no-pdf."""
    rows = []
    for r in results:
        ms = r["reload_ms"]
        rows.append(
            f"| {r['size']} | {r['cold']:.1f} s | {statistics.median(ms) / 1e3:.2f} s "
            f"| {max(ms) / 1e3:.2f} s | {_median(r['rebuilt'])} | {r['in_place']} of {len(ms)} |"
        )
    return [
        f"`PYTHONPATH=$PWD/src .venv/bin/python benchmarks/live_preview.py --sizes {args.sizes} "
        f"--reloads {args.reloads} --no-pdf` on {platform.node()} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}); load average after the runs "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.",
        "",
        "| members | first build | save → page showing the new text (Chromium), median | max "
        "| of which the rebuild (the preview's log), median | saves shown in place, without a "
        "reload |",
        "|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,193")
    parser.add_argument("--reloads", type=int, default=5)
    parser.add_argument("--chapter-runs", type=int, default=3)
    parser.add_argument("--saves", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-preview-live.md")
    parser.add_argument("--no-pdf", action="store_true", help="only the saves to the page")
    args = parser.parse_args()
    os.environ.pop("WGREPORT_CACHE_DIR", None)  # the builds keep their own, empty cache
    results = [measure(int(s), args.reloads, args.chapter_runs, args.saves, not args.no_pdf)
               for s in args.sizes.split(",")]  # fmt: skip
    load = os.getloadavg()
    lines = [
        f"## {dt.date.today().isoformat()}: `wgreport preview`, the targets of issue 41",
        "",
        f"`PYTHONPATH=$PWD/src .venv/bin/python benchmarks/live_preview.py --sizes {args.sizes} "
        f"--reloads {args.reloads} --chapter-runs {args.chapter_runs} --saves {args.saves}` on "
        f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}); load "
        f"average after the runs {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.",
        "",
        "| members | pages | cold (build + whole PDF) | save → reloaded page with the new text "
        "(Chromium), median | max | member's save → its chapter's new pages, median | / cold "
        f"| memory after 5 saves | after {args.saves} | ratio | with the render workers, after 5 "
        f"| after {args.saves} |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    if args.no_pdf:
        lines[2:] = _page_only(args, results, load)
        results = []
    for r in results:
        chapter = statistics.median(r["chapter_s"])
        five, last = r["memory"][5], r["memory"][r["saves"]]
        reload_median, reload_max = statistics.median(r["reload_ms"]), max(r["reload_ms"])
        lines.append(
            f"| {r['size']} | {r['pages']} | {r['cold']:.1f} s | {reload_median / 1000:.2f} s "
            f"| {reload_max / 1000:.2f} s | {chapter:.1f} s | {chapter / r['cold']:.2f}x "
            f"| {five[0]:.0f} MiB | {last[0]:.0f} MiB | {last[0] / five[0]:.2f}x "
            f"| {five[1]:.0f} MiB | {last[1]:.0f} MiB |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    existing = args.out.read_text(encoding="utf-8") if args.out.is_file() else (
        "# `wgreport preview`: the live preview's figures (issue 41)\n\n"
        "Written by `benchmarks/live_preview.py`; newest section last.\n\n")  # fmt: skip
    args.out.write_text(existing + section + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
