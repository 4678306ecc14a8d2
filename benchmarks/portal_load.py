"""A short load test of the portal on loopback: concurrent reviewers downloading a draft.

    .venv/bin/python benchmarks/portal_load.py [--reviewers 50] [--downloads 10]
                                               [--out benchmarks/results-portal.md]

Starts `wgreport portal` on a free loopback port over a copy of the demo inputs and an
outputs folder with one draft (the newest built demo draft's report.pdf if there is one,
else a 2 MB stand-in), invites `--reviewers` reviewers, signs each in, and has them all
download the draft's PDF `--downloads` times at once. Prints and appends: requests per
second, errors, latency percentiles, bytes per second; every byte checked against the
sha256 the manifest records.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WGREPORT = str(Path(sys.executable).parent / "wgreport")


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


async def _run(base_url: str, tokens: list[str], downloads: int, digest: str) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    received = 0

    async def reviewer(token: str) -> None:
        nonlocal errors, received
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            signed = await client.get(f"/signin/{token}")
            if signed.status_code != 303:
                errors += downloads
                return
            for _ in range(downloads):
                started = time.perf_counter()
                got = await client.get("/review/download/001/report.pdf")
                latencies.append(time.perf_counter() - started)
                if got.status_code != 200 or hashlib.sha256(got.content).hexdigest() != digest:
                    errors += 1
                received += len(got.content)

    started = time.perf_counter()
    await asyncio.gather(*(reviewer(t) for t in tokens))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else 0.0

    slowest = latencies[-1] if latencies else 0.0
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors,
            "rps": len(latencies) / elapsed, "p50": pct(0.5), "p95": pct(0.95),
            "max": slowest, "mb_s": received / elapsed / 1e6}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--downloads", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-portal.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        inputs, outputs, digest = _setup(base)
        env = {**os.environ, "WGREPORT_PORTAL_DIR": str(base / "portal")}
        port = _free_port()
        tokens = []
        for n in range(args.reviewers):
            done = subprocess.run(
                [WGREPORT, "portal", "invite", "--reviewer", f"reviewer-{n}",
                 "--email", f"reviewer-{n}@example.org", "--inputs", str(inputs)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            tokens.append(done.stdout.rsplit("/signin/", 1)[1].strip())
        server = subprocess.Popen(
            [WGREPORT, "portal", "--port", str(port), "--year", "2024",
             "--inputs", str(inputs), "--outputs", str(outputs)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            result = asyncio.run(_run(f"http://127.0.0.1:{port}", tokens, args.downloads, digest))
        finally:
            server.terminate()
            server.wait(timeout=10)
        size = (outputs / "2024" / "drafts" / "001" / "report.pdf").stat().st_size
    line = (
        f"| {dt.date.today()} | {args.reviewers} | {args.downloads} | {size / 1e6:.1f} MB "
        f"| {result['requests']:.0f} | {result['rps']:.1f} | {result['mb_s']:.0f} MB/s "
        f"| {result['p50'] * 1000:.0f} ms | {result['p95'] * 1000:.0f} ms "
        f"| {result['max'] * 1000:.0f} ms | {result['errors']:.0f} |"
    )
    header = (
        "# Portal load test\n\n`.venv/bin/python benchmarks/portal_load.py` on loopback, "
        "2 cores; one uvicorn worker. Every download checked against the manifest's "
        "sha256.\n\n| date | reviewers | downloads each | PDF | requests | requests/s "
        "| throughput | p50 | p95 | max | errors |\n|---|---:|---:|---:|---:|---:|---:|---:"
        "|---:|---:|---:|\n"
    )
    if not args.out.exists():
        args.out.write_text(header, encoding="utf-8")
    with args.out.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print(header + line)


if __name__ == "__main__":
    main()
