"""Where a build's time goes: the library build (no Prefect), stage by stage, one run.

    .venv/bin/python benchmarks/stages.py INPUTS OUTPUTS [--year 2024]

INPUTS is an inputs folder (e.g. one written by `wgreport demo-data --members 193`);
OUTPUTS is where the draft goes. Run it twice on the same OUTPUTS, with a member's text
changed in between, to see a cold build and a one-member rebuild (the part and chart caches
live under OUTPUTS/.cache). Prints one JSON line: seconds per stage, and how the PDF was
made.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wgreport.build.steps import BuildRequest, SequentialRunner, Step, run_build
from wgreport.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


class TimingRunner(SequentialRunner):
    """The library build (wgreport.build.steps), with the seconds each step took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def _timed(self, name: str, started: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - started, 1)

    def run(self, step: Step[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            self._timed(step.name, started)

    def map(self, step: Step[..., Any], shared: Any, items: Sequence[Any]) -> list[Any]:
        started = time.perf_counter()
        try:
            return super().map(step, shared, items)
        finally:
            self._timed(step.name, started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("inputs", type=Path)
    parser.add_argument("outputs", type=Path)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    settings = Settings(root=ROOT, inputs_dir=args.inputs, outputs_dir=args.outputs)
    runner = TimingRunner()
    result = run_build(settings, BuildRequest(args.year), runner)
    print(json.dumps({"seconds": runner.seconds, "render": result.manifest["render"]}))


if __name__ == "__main__":
    main()
