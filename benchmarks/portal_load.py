"""A short load test of the portal on loopback: reviewers downloading a draft, and
reviewers loading their page while a member uploads the largest workbook the limits allow.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/portal_load.py
        [--reviewers 50] [--downloads 10]
        [--page-reviewers 20] [--baseline 15] [--uploads 2] [--think 0.0]
        [--out benchmarks/results-portal.md]

Starts `wgreport portal --https` (as `python -m wgreport`, so the code under PYTHONPATH is
the code measured) on a free loopback port over a copy of the demo inputs and an outputs
folder with one draft (the newest built demo draft's report.pdf if there is one, else a
2 MB stand-in). Invites `--reviewers` reviewers and member KR (the store's `invite`, as
`wgreport portal invite` does) and signs each in as a browser does: the link's page
(GET /signin/<token>, a button), then the button (POST, which spends the link and
answers 303 with the session cookie).

1. Downloads: all reviewers download the draft's PDF `--downloads` times at once;
   requests per second, errors, latency percentiles, bytes per second; every byte checked
   against the sha256 the manifest records.
2. Pages during an upload: `--page-reviewers` of them load /review in a loop (waiting
   `--think` seconds between loads, 0.5 to 1.5 times it at random, so they are not in
   step) for 2 s of warm-up and `--baseline` seconds; then member KR uploads the
   largest workbook (benchmarks/largest_workbook.py: KR's contribution plus filler sheets
   up to the sheets, cells and unpacked-size limits of wgreport.inputs.workbook_limits, just under
   the 2 MiB upload limit; it passes `measure_workbook`, so the portal's checker parses
   it with openpyxl) `--uploads` times in a row while they go on. Page-load p50/p95/max
   before and during the uploads (their ratio in one run: the machine is shared), each
   upload's duration and outcome (the member page's verdict), the portal's peak memory
   (VmHWM of its process, reset through /proc/<pid>/clear_refs before the uploads, so it
   is the peak while they ran) and the checker's (VmHWM of each child process of the
   portal, read every 20 ms while it runs).

Sign-in attempts are limited per client address (10 in 15 minutes; both the link's page
and the button count), and every client here is 127.0.0.1. The benchmark does not weaken
that limit: it runs the portal as it runs behind its HTTPS reverse proxy (`--https`, which
turns on uvicorn's proxy headers, trusted from 127.0.0.1 only) and gives each person's
client its own X-Forwarded-For address (10.35.x.y), as the proxy would. The price: the
session cookie is `Secure`, which an HTTP client keeps to itself, so the benchmark sends
it back in a Cookie header of its own. (Signing in reviewers in batches would take 15
minutes per 5 reviewers.) Measured: without `--https` the same clients get 429 from the
sixth reviewer on (the forwarded address is not trusted); with it, every sign-in passes.

Prints and appends a dated section to `--out`. Uploads per run are bounded by the
member's hourly quota (20 uploads, 20 MiB); the portal folder is new in every run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import html
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]  # this checkout's wgreport
COOKIE = "wgreport_session"
MIB = 1024 * 1024
WARM_UP = 2.0  # seconds of page loads before the baseline (the first loads come at once)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup(base: Path) -> tuple[Path, Path, str]:
    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    draft = base / "outputs" / "2024" / "drafts" / "001"
    shutil.copytree(ROOT / "tests" / "golden" / "tree" / "drafts" / "001", draft)
    built = ROOT / "outputs" / "2024" / "latest" / "report.pdf"
    pdf = built.read_bytes() if built.is_file() else os.urandom(2 * 1024 * 1024)
    (draft / "report.pdf").write_bytes(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    manifest = json.loads((draft / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"]["report.pdf"] = digest
    (draft / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return inputs, base / "outputs", digest


def _address(n: int) -> str:
    """The n-th person's client address, as the reverse proxy would forward it."""
    return f"10.35.{n // 250}.{n % 250 + 1}"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0


# --- memory -----------------------------------------------------------------------------


def _status_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class MemorySampler:
    """The portal's and its children's VmHWM, read every `every` seconds; children are
    looked for every fifth read (psutil walks /proc: a few ms)."""

    pid: int
    every: float = 0.02
    children: dict[int, tuple[str, int]] = field(default_factory=dict)  # pid: (cmd, KiB)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def reset_portal_peak(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5", encoding="ascii")
        except OSError:
            return False
        return True

    def portal_peak_kib(self) -> int:
        return _status_kib(self.pid, "VmHWM") or 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        import psutil

        portal = psutil.Process(self.pid)
        tick = 0
        while not self._stop.is_set():
            if tick % 5 == 0:
                try:
                    for child in portal.children(recursive=True):
                        if child.pid not in self.children:
                            self.children[child.pid] = (_cmdline(child.pid), 0)
                except psutil.Error:
                    pass
            for pid, (cmd, peak) in list(self.children.items()):
                if "wgreport.portal.checker" not in cmd:
                    # seen between fork and exec: the portal's command line and memory
                    cmd, peak = _cmdline(pid) or cmd, 0
                now = _status_kib(pid, "VmHWM")
                if now is not None and now > peak:
                    self.children[pid] = (cmd, now)
            tick += 1
            self._stop.wait(self.every)

    def checker_peaks_kib(self) -> list[int]:
        return [kib for cmd, kib in self.children.values() if "wgreport.portal.checker" in cmd]


# --- the clients ------------------------------------------------------------------------


async def _sign_in(base_url: str, token: str, n: int) -> Any:
    """A client signed in with `token` from address `n`, as a browser does: the link's
    page, then its button. The Secure session cookie is sent back in a header."""
    import httpx

    client = httpx.AsyncClient(base_url=base_url, timeout=120,
                               headers={"x-forwarded-for": _address(n)})  # fmt: skip
    page = await client.get(f"/signin/{token}")
    if page.status_code != 200 or 'id="signin"' not in page.text:
        await client.aclose()
        raise SystemExit(f"the sign-in page of person {n} answered {page.status_code}")
    signed = await client.post(f"/signin/{token}")
    found = re.search(rf"{COOKIE}=([^;]+)", signed.headers.get("set-cookie", ""))
    if signed.status_code != 303 or found is None:
        await client.aclose()
        raise SystemExit(f"signing in person {n} answered {signed.status_code}: {signed.text}")
    client.cookies.clear()
    client.headers["cookie"] = f"{COOKIE}={found.group(1)}"
    return client


async def _downloads(clients: list[Any], downloads: int, digest: str) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    received = 0

    async def reviewer(client: Any) -> None:
        nonlocal errors, received
        for _ in range(downloads):
            started = time.perf_counter()
            got = await client.get("/review/download/001/report.pdf")
            latencies.append(time.perf_counter() - started)
            if got.status_code != 200 or hashlib.sha256(got.content).hexdigest() != digest:
                errors += 1
            received += len(got.content)

    started = time.perf_counter()
    await asyncio.gather(*(reviewer(c) for c in clients))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors,
            "rps": len(latencies) / elapsed, "p50": _pct(latencies, 0.5),
            "p95": _pct(latencies, 0.95), "max": max(latencies, default=0.0),
            "mb_s": received / elapsed / 1e6}  # fmt: skip


@dataclass
class Upload:
    seconds: float
    status: int
    verdict: str


async def _upload(member: Any, name: str, body: bytes) -> Upload:
    page = await member.get("/member")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if csrf is None:
        raise SystemExit(f"the member page answered {page.status_code} without a form")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    started = time.perf_counter()
    sent = await member.post("/member/upload", data={"csrf": csrf.group(1)},
                             files={"contribution": (name, body, mime)})  # fmt: skip
    seconds = time.perf_counter() - started
    after = await member.get("/member")
    shown = after.text if sent.status_code == 303 else sent.text
    patterns = (r'id="refusal">(.*?)</p>', r'id="verdict">(.*?)</p>',
                r'<p class="bad">Refused: (.*?)</p>', r"<caption>(.*?)</caption>")  # fmt: skip
    parts = [re.search(p, shown, re.S) for p in patterns]
    verdict = " / ".join(html.unescape(m.group(1)).strip() for m in parts if m)
    return Upload(seconds, sent.status_code, verdict)


async def _pages_during_upload(
    reviewers: list[Any], member: Any, workbook: bytes, baseline: float, uploads: int,
    think: float, sampler: MemorySampler,
) -> dict[str, Any]:  # fmt: skip
    loads: list[tuple[float, float, bool]] = []  # started, seconds, ok
    stop = asyncio.Event()

    pause = random.Random(35)

    async def reviewer(client: Any) -> None:
        await asyncio.sleep(pause.uniform(0, think))  # not all in step
        while not stop.is_set():
            started = time.perf_counter()
            got = await client.get("/review")
            signed_in = got.status_code == 200 and 'id="signout"' in got.text
            loads.append((started, time.perf_counter() - started, signed_in))
            if think:
                await asyncio.sleep(pause.uniform(0.5 * think, 1.5 * think))

    tasks = [asyncio.create_task(reviewer(c)) for c in reviewers]
    await asyncio.sleep(WARM_UP + baseline)
    overall_kib = sampler.portal_peak_kib()  # since start: sign-ins, downloads, pages
    reset = sampler.reset_portal_peak()
    before_kib = sampler.portal_peak_kib()
    upload_started = time.perf_counter()
    done = [await _upload(member, "KR.xlsx", workbook) for _ in range(uploads)]
    upload_ended = time.perf_counter()
    portal_kib = sampler.portal_peak_kib()
    stop.set()
    await asyncio.gather(*tasks)

    def phase(first: float, last: float) -> dict[str, float]:
        chosen = [(s, ok) for started, s, ok in loads if first <= started < last]
        seconds = [s for s, _ in chosen]
        return {"loads": len(chosen), "errors": sum(1 for _, ok in chosen if not ok),
                "p50": _pct(seconds, 0.5), "p95": _pct(seconds, 0.95),
                "max": max(seconds, default=0.0), "seconds": last - first}  # fmt: skip

    return {"baseline": phase(upload_started - baseline, upload_started),
            "during": phase(upload_started, upload_ended), "uploads": done,
            "portal_overall_kib": overall_kib, "portal_before_kib": before_kib,
            "portal_peak_kib": portal_kib,
            "peak_reset": reset}  # fmt: skip


async def _bench(
    base_url: str, tokens: list[str], member_token: str, args: argparse.Namespace,
    digest: str, workbook: bytes, sampler: MemorySampler,
) -> tuple[dict[str, float], dict[str, Any]]:  # fmt: skip
    clients = [await _sign_in(base_url, t, n) for n, t in enumerate(tokens)]
    member = await _sign_in(base_url, member_token, len(tokens))
    try:
        downloads = await _downloads(clients, args.downloads, digest)
        pages = await _pages_during_upload(clients[: args.page_reviewers], member, workbook,
                                           args.baseline, args.uploads, args.think,
                                           sampler)  # fmt: skip
    finally:
        for client in [*clients, member]:
            await client.aclose()
    return downloads, pages


# --- the run ----------------------------------------------------------------------------


def main() -> None:
    from largest_workbook import build, describe

    from wgreport.portal.limits import DEFAULT_LIMITS
    from wgreport.portal.store import Store

    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--downloads", type=int, default=10)
    parser.add_argument("--page-reviewers", type=int, default=20)
    parser.add_argument("--baseline", type=float, default=15.0, help="seconds before uploads")
    parser.add_argument("--uploads", type=int, default=2, help="workbook uploads in a row")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between page loads")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-portal.md")
    args = parser.parse_args()
    if args.page_reviewers > args.reviewers:
        parser.error("--page-reviewers must be at most --reviewers")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        inputs, outputs, digest = _setup(base)
        started = time.perf_counter()
        built = build(base / "KR.xlsx", "KR", 2024, inputs)
        print(f"largest workbook ({time.perf_counter() - started:.0f} s to build): "
              f"{describe(built)}")  # fmt: skip
        workbook = built.path.read_bytes()
        limits = DEFAULT_LIMITS
        if (args.uploads > limits.uploads_per_hour
                or args.uploads * len(workbook) > limits.upload_bytes_per_hour):  # fmt: skip
            parser.error(f"--uploads {args.uploads} of {len(workbook):,} bytes is past the "
                         f"member's hourly quota ({limits.uploads_per_hour} uploads, "
                         f"{limits.upload_bytes_per_hour // MIB} MiB)")  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k != "FORWARDED_ALLOW_IPS"}
        env["WGREPORT_PORTAL_DIR"] = str(base / "portal")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
        port = _free_port()
        store = Store(base / "portal")
        tokens = [
            store.invite("reviewer", f"reviewer-{n}@example.org", reviewer=f"reviewer-{n}")[1]
            for n in range(args.reviewers)
        ]
        member_token = store.invite("member", "kr@example.org", member="KR")[1]
        del store
        server = subprocess.Popen(
            [sys.executable, "-m", "wgreport", "portal", "--https", "--port", str(port),
             "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        sampler = MemorySampler(server.pid)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            sampler.start()
            downloads, pages = asyncio.run(_bench(f"http://127.0.0.1:{port}", tokens,
                                                  member_token, args, digest, workbook,
                                                  sampler))  # fmt: skip
        finally:
            sampler.stop()
            server.terminate()
            server.wait(timeout=10)
        size = (outputs / "2024" / "drafts" / "001" / "report.pdf").stat().st_size
    text = _report(args, downloads, pages, sampler, describe(built), size)
    with args.out.open("a", encoding="utf-8") as fh:
        fh.write(text)
    print(text)


def _report(
    args: argparse.Namespace, downloads: dict[str, float], pages: dict[str, Any],
    sampler: MemorySampler, workbook: str, size: int,
) -> str:  # fmt: skip
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    b, d = pages["baseline"], pages["during"]
    checkers = sampler.checker_peaks_kib()
    uploads = "\n".join(
        f"| {n} | {u.seconds:.1f} s | {u.status} | {u.verdict} |"
        for n, u in enumerate(pages["uploads"], 1)
    )
    ratio = d["p95"] / b["p95"] if b["p95"] else float("nan")
    pace = f"{args.think:g} s between loads on average" if args.think else "no pause between loads"
    reset = (
        f" (its peak reset when they began, at {pages['portal_before_kib'] / 1024:.0f} MiB)"
        if pages["peak_reset"]
        else " (the peak could not be reset: this is the peak since start)"
    )
    return f"""
## {dt.date.today()}: two-step sign-in; reviewers' pages while a member uploads the largest \
workbook

`PYTHONPATH=$PWD/src .venv/bin/python benchmarks/portal_load.py --reviewers {args.reviewers} \
--downloads {args.downloads} --page-reviewers {args.page_reviewers} --baseline {args.baseline:g} \
--uploads {args.uploads} --think {args.think:g}` on loopback, 2 cores shared with other work;
one uvicorn worker, `--https` (each client its own X-Forwarded-For address: the sign-in
limit per address stays 10 in 15 minutes). Sign-in: the link's page, then its button.

Downloads, every byte checked against the manifest's sha256:

| reviewers | downloads each | PDF | requests | requests/s | throughput | p50 | p95 | max | errors |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| {args.reviewers} | {args.downloads} | {size / 1e6:.1f} MB | {downloads["requests"]:.0f} \
| {downloads["rps"]:.1f} | {downloads["mb_s"]:.0f} MB/s | {ms(downloads["p50"])} \
| {ms(downloads["p95"])} | {ms(downloads["max"])} | {downloads["errors"]:.0f} |

{args.page_reviewers} reviewers loading /review in a loop ({pace}), first alone
(after {WARM_UP:g} s of warm-up), then while member KR uploads the largest workbook
{args.uploads} time(s) in a row. The workbook (benchmarks/largest_workbook.py): {workbook}.

| phase | seconds | page loads | p50 | p95 | max | errors |
|---|---:|---:|---:|---:|---:|---:|
| before the uploads | {b["seconds"]:.1f} | {b["loads"]} | {ms(b["p50"])} | {ms(b["p95"])} \
| {ms(b["max"])} | {b["errors"]} |
| during the uploads | {d["seconds"]:.1f} | {d["loads"]} | {ms(d["p50"])} | {ms(d["p95"])} \
| {ms(d["max"])} | {d["errors"]} |

p95 during ÷ p95 before: {ratio:.2f}.

| upload | took | answer | the member page says |
|---:|---:|---:|---|
{uploads}

Peak memory (VmHWM): the portal process {pages["portal_overall_kib"] / 1024:.0f} MiB from its
start to the uploads (sign-ins, downloads, pages), {pages["portal_peak_kib"] / 1024:.0f} MiB \
while the uploads ran{reset}; the checker process of each upload (read every 20 ms): \
{", ".join(f"{k / 1024:.0f} MiB" for k in checkers) or "not seen"}.
"""


if __name__ == "__main__":
    main()
