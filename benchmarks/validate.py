"""Validation speed: 1,000 generated contributions, and one file from a cold start.

    .venv/bin/python benchmarks/validate.py [--files N] [--out FILE]

Generates 1,000 valid contributions (the demo's contributions re-issued under generated
member codes AA…ZZ over the 2024 and 2023 editions), validates them all, and times
`wgreport validate` on a single file in a fresh interpreter. Prints a table and records it
in the results file.
Targets: 1,000 files in under 3 s; one file in under 1 s including interpreter start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "inputs"
WGREPORT = Path(sys.executable).with_name("wgreport")


def _codes() -> list[str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return [a + b for a in letters for b in letters]


def generate(target: Path, files: int) -> Path:
    """A tree of `files` valid contributions: the demo's contributions re-issued under
    generated member codes (AA…ZZ), spread over the demo's 2024 and 2023 editions."""
    inputs = target / "inputs"
    shutil.copytree(DEMO, inputs)
    codes = _codes()
    wg = (inputs / "working-group.yaml").read_text(encoding="utf-8")
    head, _, rest = wg.partition("members:\n")
    _, _, tail = rest.partition("themes:\n")
    members = "".join(
        f"  - code: {c}\n    name: Member {c}\n    ministry: Ministry of Digital Affairs {c}\n"
        for c in codes
    )
    (inputs / "working-group.yaml").write_text(
        head.replace("chair: KR", "chair: AA") + "members:\n" + members + "themes:\n" + tail,
        encoding="utf-8",
    )
    written = 0
    for year in (2024, 2023):
        folder = inputs / str(year) / "contributions"
        sources = sorted(folder.glob("*.yaml"))
        texts = {p: p.read_text(encoding="utf-8") for p in sources}
        for p in sources:
            p.unlink()
        for index, code in enumerate(codes):
            if written == files:
                break
            src = sources[index % len(sources)]
            text = texts[src].replace(f"member: {src.stem}", f"member: {code}")
            csv = src.with_name(src.stem + ".indicators.csv")
            if csv.exists():
                text = text.replace(csv.name, f"{code}.indicators.csv")
                (folder / f"{code}.indicators.csv").write_text(
                    csv.read_text(encoding="utf-8"), encoding="utf-8"
                )
            (folder / f"{code}.yaml").write_text(text, encoding="utf-8")
            written += 1
    return inputs


def run_cli(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run([str(WGREPORT), *args], cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results-validate.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        inputs = generate(Path(tmp), args.files)
        count = len(list(inputs.glob("*/contributions/*.yaml")))

        # In-process: the library's validate_paths over the whole tree.
        from wgreport.inputs.validate_paths import validate_paths

        start = time.perf_counter()
        report = validate_paths([inputs], inputs)
        in_process = time.perf_counter() - start
        errors = report.to_dict()["summary"]["errors"]
        if errors:
            first = next(f for f in report.files if not f.valid)
            print(f"generated files are not valid: {first.file}: {first.issues[0]}")
            return 1

        # The whole command, as a member or CI runs it: interpreter start included.
        cli_all, done = run_cli("validate", "--format", "json", str(inputs), cwd=Path(tmp))
        assert done.returncode == 0, done.stderr[-2000:]

        one = inputs / "2024" / "contributions" / "AA.yaml"
        singles = []
        for _ in range(7):
            seconds, done = run_cli("validate", str(one), cwd=Path(tmp))
            assert done.returncode == 0, done.stdout + done.stderr
            singles.append(seconds)

    rows = [
        ("contributions validated", f"{count:,}"),
        ("in-process, whole tree", f"{in_process:.2f} s ({count / in_process:,.0f} files/s)"),
        (
            "`wgreport validate TREE` (cold start)",
            f"{cli_all:.2f} s ({count / cli_all:,.0f} files/s)",
        ),
        (
            "`wgreport validate ONE.yaml`, start to finish",
            f"median {statistics.median(singles):.3f} s, best {min(singles):.3f} s (7 runs)",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  result")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Validation benchmark",
        "",
        f"Recorded {stamp} by `benchmarks/validate.py` on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, one process.",
        "Targets: 1,000 files in under 3 s; one file in under 1 s including interpreter start.",
        "",
        "| measure | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(
        f"recorded in {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
