"""How long a member waits for the preview of their chapter after an accepted upload
(issue 38): at the demo's 10 members and at a synthetic group of 193.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/preview.py [--sizes 10,193] [--runs 3]
        [--out benchmarks/results-preview.md]

For each size: an inputs folder (a copy of the demo inputs for 10; `wgreport demo-data
--members N` otherwise, so the previous edition is there too), a new portal folder and an
empty outputs folder (so the parts cache starts empty), the portal's application in this
process (Starlette's test client) and member `code` signed in. Each run uploads the
member's own file with one sentence of its summary changed (so its chapter is laid out
again, not taken from the parts cache), and measures:

- `upload`: the upload's request (the checker's child process included), until its 303;
- `ready`: from the upload's 303 (the upload accepted) until the preview is ready
  (`Previews.wait`, which the watcher thread wakes when the preview's process has ended
  and its PDF is in place);
- `total`: from sending the upload until the preview is ready: what the member waits;
- `child`: the seconds the preview's own process reports (validate, aggregate, context,
  HTML, the chapter's layout, stamp and mark), without its start and imports.

Prints a table and appends a dated section to `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs"
YEAR = 2024


def sized_inputs(size: int, folder: Path) -> tuple[Path, str]:
    """An inputs folder of `size` members (the demo's ten, or a generated group), and a
    member in the middle of the report (the one to upload as, or whose text is saved);
    benchmarks/live_preview.py uses it too."""
    import shutil

    target = folder / "inputs"
    if size == 10:
        shutil.copytree(DEMO, target)
        return target, "KR"
    subprocess.run(
        [sys.executable, "-m", "wgreport", "demo-data", "--out", str(target), "--members",
         str(size), "--year", str(YEAR)], check=True, capture_output=True,
    )  # fmt: skip
    codes = sorted(p.stem for p in (target / str(YEAR) / "contributions").glob("*.yaml"))
    return target, codes[len(codes) // 2]  # a chapter in the middle of the report


def _changed(original: bytes, run: int) -> bytes:
    """The member's file with a sentence added to the summary's first line."""
    text = original.decode("utf-8")
    found = re.search(r"^summary: [|>][-+]?\n(\s+)", text, re.M)
    if found is None:
        raise SystemExit("the member's file has no block summary to change")
    at = found.end()
    return (text[:at] + f"Benchmark run {run} added this sentence. " + text[at:]).encode()


def measure(size: int, runs: int) -> dict[str, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from wgreport.portal import preview as previews
    from wgreport.portal.app import Portal, make_app
    from wgreport.portal.store import Store

    with tempfile.TemporaryDirectory(prefix="wgreport-preview-") as tmp:
        folder = Path(tmp)
        inputs, code = sized_inputs(size, folder)
        portal = Portal(inputs, folder / "outputs", YEAR, Store(folder / "portal"),
                        base_url="http://testserver")  # fmt: skip
        _, token = portal.store.invite("member", "bench@example.org", member=code)
        client = TestClient(make_app(portal), follow_redirects=False)
        assert client.post(f"/signin/{token}").status_code == 303
        original = (inputs / str(YEAR) / "contributions" / f"{code}.yaml").read_bytes()
        rows = []
        for run in range(1, runs + 1):
            page = client.get("/member").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf
            body = _changed(original, run)
            sent = time.perf_counter()
            response = client.post("/member/upload", data={"csrf": csrf[1]},
                                   files={"contribution": (f"{code}.yaml", body)})  # fmt: skip
            accepted = time.perf_counter()
            assert response.status_code == 303, response.text
            state = previews.previews(portal).wait(code, timeout=600)
            ready = time.perf_counter()
            if state is None or state.get("state") != "ready":
                raise SystemExit(f"run {run}: the preview did not become ready: {state}")
            rows.append({"upload": accepted - sent, "ready": ready - accepted,
                         "total": ready - sent, "child": float(state.get("seconds") or 0),
                         "pages": state.get("pages"), "title": state.get("title")})  # fmt: skip
            print(f"{size} members, run {run}: upload {accepted - sent:.1f} s, ready "
                  f"{ready - accepted:.1f} s after it ({state.get('title')}, "
                  f"{state.get('pages')} pages)", flush=True)  # fmt: skip
    return {"size": size, "code": code, "rows": rows}


def _median(rows: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(str(r[key])) for r in rows)


def _max(rows: list[dict[str, object]], key: str) -> float:
    return max(float(str(r[key])) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,193")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-preview.md")
    args = parser.parse_args()
    os.environ.pop("WGREPORT_CACHE_DIR", None)  # the builds keep their own, empty cache
    results = [measure(int(s), args.runs) for s in args.sizes.split(",")]
    load = os.getloadavg()
    lines = [
        f"## {dt.date.today().isoformat()}: from an accepted upload to the preview ready",
        "",
        f"`PYTHONPATH=$PWD/src .venv/bin/python benchmarks/preview.py --sizes {args.sizes} "
        f"--runs {args.runs}` on {platform.node()} ({os.cpu_count()} cores, Python "
        f"{platform.python_version()}); load average after the runs "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (the machine is shared). Each run "
        "changes one sentence of the member's summary, so the chapter is laid out again.",
        "",
        "| members | member (chapter) | pages | upload (request) | upload → ready, median "
        "| max | sent → ready, median | max | the preview's process |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        rows = result["rows"]
        assert isinstance(rows, list)
        first = rows[0]
        lines.append(
            f"| {result['size']} | {result['code']} ({first['title']}) | {first['pages']} | "
            f"{_median(rows, 'upload'):.1f} s | {_median(rows, 'ready'):.1f} s | "
            f"{_max(rows, 'ready'):.1f} s | {_median(rows, 'total'):.1f} s | "
            f"{_max(rows, 'total'):.1f} s | {_median(rows, 'child'):.1f} s |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    existing = args.out.read_text(encoding="utf-8") if args.out.is_file() else (
        "# The preview of a member's chapter: time from an upload to the preview\n\n"
        "Written by `benchmarks/preview.py`; newest section last.\n\n")  # fmt: skip
    args.out.write_text(existing + section + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
