"""The long fuzz run of the loader and validator, coverage-guided with atheris (libFuzzer).

    .venv/bin/pip install atheris          # benchmark-only: not in requirements.lock
    .venv/bin/python benchmarks/fuzz_atheris.py [--runs 1000000] [--record]

Each input is, by its first byte, random bytes, YAML-shaped text (bytes mapped onto YAML's
signs, letters, digits, Hangul and Hebrew) or a mutation of a valid contribution (a cut
and an insertion), written as `KR.yaml` and validated against the demo edition. Every
result must be a validation report with each issue placed (line and column ≥ 1) and coded;
any exception is a crash. libFuzzer enforces a per-input time limit (`-timeout=5`: a
hang fails the run) and a memory bound (`-rss_limit_mb=1024`), and reports the number of
inputs tried. Seeds: the valid and invalid fixtures and the demo contributions.

Without atheris (no wheel for the platform), `--plain` runs the same checks on inputs from
Python's `random` without coverage guidance, with its own time limit (SIGALRM) and memory
bound (peak RSS).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

TIME_LIMIT_S = 5
RSS_LIMIT_MB = 1024
YAML_CHARS = " \n\t:-#&*!|>'\"[]{},?%@`0123456789abcKRé김ש\x00\x7f"

_state: dict[str, object] = {}


def setup() -> None:
    from wgreport.inputs.validation import EditionContext, load_edition, load_working_group

    inputs = ROOT / "inputs"
    wg, _ = load_working_group(inputs / "working-group.yaml")
    edition, _ = load_edition(inputs / "2024" / "edition.yaml", wg, 2024)
    folder = Path(tempfile.mkdtemp(prefix="wgreport-fuzz-", dir="/dev/shm"))
    shutil.copytree(inputs / "2024" / "contributions" / "KR", folder / "KR")
    _state.update(
        ctx=EditionContext(wg, 2024, edition, folder),
        path=folder / "KR.yaml",
        valid=(ROOT / "tests" / "fixtures" / "valid" / "KR.yaml").read_bytes(),
    )


def shape(data: bytes) -> bytes:
    """The input as one of the three kinds, chosen by its first byte."""
    if not data:
        return data
    kind, rest = data[0] % 3, data[1:]
    if kind == 0:
        return rest
    if kind == 1:
        return "".join(YAML_CHARS[b % len(YAML_CHARS)] for b in rest).encode(
            "utf-8", errors="surrogatepass"
        )
    valid: bytes = _state["valid"]  # type: ignore[assignment]
    if len(rest) < 3:
        return valid
    cut = int.from_bytes(rest[:2], "big") % (len(valid) + 1)
    length = rest[2] % 48
    return valid[:cut] + rest[3:] + valid[cut + length :]


def check(data: bytes) -> None:
    from wgreport.inputs.validation import validate_contribution

    path: Path = _state["path"]  # type: ignore[assignment]
    path.write_bytes(shape(data))
    result = validate_contribution(path, _state["ctx"])  # type: ignore[arg-type]
    for report in result.reports:
        for issue in report.issues:
            if not (issue.line and issue.line >= 1 and issue.column and issue.column >= 1):
                raise AssertionError(f"unplaced issue {issue}")
            if not (issue.code and issue.message):
                raise AssertionError(f"uncoded issue {issue}")
    if result.contribution is not None and not result.valid:
        raise AssertionError("a contribution was returned for an invalid file")


def seeds(folder: Path) -> None:
    """Seed inputs for each kind: fixture files, as raw bytes and as unmutated copies."""
    files = [
        *(ROOT / "tests" / "fixtures").rglob("*.yaml"),
        *(ROOT / "inputs" / "2024" / "contributions").glob("*.yaml"),
    ]
    for i, file in enumerate(files):
        (folder / f"seed-{i}").write_bytes(b"\0" + file.read_bytes()[:4000])
    (folder / "seed-mutation").write_bytes(b"\2\0\0\0")


def child(libfuzzer_args: list[str]) -> None:
    import atheris

    with atheris.instrument_imports():
        import wgreport.inputs.validation
        import wgreport.inputs.yamlsource  # noqa: F401
    setup()
    atheris.Setup([sys.argv[0], *libfuzzer_args], check)
    atheris.Fuzz()


def plain(runs: int, seed: int) -> tuple[int, int, str]:
    """Without atheris: random inputs of the three kinds; (tried, failures, note)."""
    setup()
    rng = random.Random(seed)
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"an input took over {TIME_LIMIT_S} s")

    signal.signal(signal.SIGALRM, alarm)
    failures = 0
    for n in range(1, runs + 1):
        size = rng.choice((8, 64, 400, 4000))
        data = bytes([rng.randrange(3)]) + rng.randbytes(rng.randrange(size))
        signal.alarm(TIME_LIMIT_S)
        try:
            check(data)
        except Exception as exc:
            failures += 1
            print(f"input {n}: {type(exc).__name__}: {exc}", file=sys.stderr)
        finally:
            signal.alarm(0)
        if n % 10_000 == 0:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"{n} inputs, peak RSS {rss} MB", flush=True)
            if rss - start_rss > RSS_LIMIT_MB:
                raise SystemExit(f"memory grew by {rss - start_rss} MB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return runs, failures, f"peak RSS {rss} MB"


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=int, default=0, help="stop after this long")
    parser.add_argument("--plain", action="store_true", help="no atheris: random inputs")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    if args.plain:
        tried, failures, note = plain(args.runs, seed=9)
        how = "random inputs (`--plain`, no coverage guidance)"
    else:
        corpus = Path(tempfile.mkdtemp(prefix="wgreport-fuzz-corpus-"))
        seeds(corpus)
        command = [
            sys.executable,
            __file__,
            "--child",
            f"-runs={args.runs}",
            f"-timeout={TIME_LIMIT_S}",
            f"-rss_limit_mb={RSS_LIMIT_MB}",
            "-max_len=4096",
            "-print_final_stats=1",
            str(corpus),
        ]
        if args.minutes:
            command.insert(-1, f"-max_total_time={args.minutes * 60}")
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        log = done.stderr
        Path(tempfile.gettempdir(), "wgreport-fuzz.log").write_text(log, encoding="utf-8")
        match = re.search(r"Done (\d+) runs", log) or re.search(
            r"stat::number_of_executed_units: (\d+)", log
        )
        tried = int(match[1]) if match else 0
        failures = 0 if done.returncode == 0 else 1
        cov = re.findall(r"cov: (\d+) ft: (\d+)", log)
        rss = re.findall(r"rss: (\d+)Mb", log)
        note = (
            f"exit {done.returncode}; coverage {cov[-1][0] if cov else '?'} edges, "
            f"{cov[-1][1] if cov else '?'} features; peak RSS {rss[-1] if rss else '?'} MB; "
            f"corpus grew to {len(list(corpus.iterdir()))} inputs"
        )
        how = "atheris (libFuzzer, coverage-guided)"
        if done.returncode != 0:
            print(log[-4000:], file=sys.stderr)
    minutes = (dt.datetime.now(dt.UTC) - started).total_seconds() / 60
    line = (
        f"{tried:,} inputs tried with {how} in {minutes:.0f} min: {failures} failure(s) "
        f"(tracebacks, hangs over {TIME_LIMIT_S} s, memory over {RSS_LIMIT_MB} MB); {note}"
    )
    print(line)
    if args.record:
        with (ROOT / "benchmarks" / "results-hardening.md").open("a", encoding="utf-8") as fh:
            fh.write(
                f"\n### Fuzzing, {started:%Y-%m-%d %H:%M} UTC\n\n"
                f"`.venv/bin/python benchmarks/fuzz_atheris.py --runs {args.runs}"
                f"{f' --minutes {args.minutes}' if args.minutes else ''}"
                f"{' --plain' if args.plain else ''} --record`: {line}.\n"
            )
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    sys.exit(main())
