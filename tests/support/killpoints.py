"""Run a build that stops at a chosen moment so that a test can SIGKILL it there.

    python -m tests.support.killpoints POINT MARKER -- build --year 2024 --inputs I --outputs O [...]
    python -m tests.support.killpoints POINT MARKER --library INPUTS OUTPUTS [--final --supersede]

The build runs as usual (`wgreport build`, i.e. the Prefect flow, or the library build)
with one function wrapped: when the build reaches POINT, it writes MARKER and sleeps, and
the parent, which waits for MARKER, kills it with SIGKILL. The moment is exact and the same
on every run, unlike a kill after a delay. POINT "none" runs the build to its end.

Used by tests/e2e/test_crash.py (a few points) and benchmarks/killtest.py (all of them).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class KillPoint:
    """Stop in `module.attr`, before (or after) its `nth` call."""

    name: str
    stage: str
    targets: tuple[str, ...]  # "module:attr", each wrapped (a function imported twice)
    nth: int = 1
    after: bool = False
    final: bool = False  # needs a --final --supersede build
    only_if: Callable[..., bool] | None = None


def _index_tmp(path: Path, *args: Any, **kwargs: Any) -> bool:
    return path.name.startswith(".index-")


def _tmp_folder(path: Path, *args: Any, **kwargs: Any) -> bool:
    return path.name.startswith(".tmp-")


def _drafts_folder(path: Path, *args: Any, **kwargs: Any) -> bool:
    return path.name == "drafts"


def _latest_tmp(path: Path, *args: Any, **kwargs: Any) -> bool:
    return path.name.startswith(".latest-")


# In build order: the stages of the issue (lock, validate, aggregate, charts, render,
# publish) and every step of publishing a draft and replacing a final.
POINTS = [
    KillPoint("lock-held", "lock", ("wgreport.build.publish:recover_year",), after=True),
    KillPoint("validate-1", "validate", ("wgreport.inputs.edition:validate_contribution",), nth=1),
    KillPoint("validate-6", "validate", ("wgreport.inputs.edition:validate_contribution",), nth=6),
    KillPoint("aggregate", "aggregate", ("wgreport.build.pipeline:compute_frames",)),
    KillPoint("charts", "charts", ("wgreport.figures.drawing:make_charts",)),
    KillPoint("context", "context", ("wgreport.build.pipeline:make_context",)),
    KillPoint(
        "html",
        "render",
        ("wgreport.render.html:render_html", "wgreport.build.steps:render_html"),
    ),
    KillPoint(
        "pdf",
        "render",
        (
            "wgreport.render.pdf.schedule:render_single",
            "wgreport.render.pdf.schedule:render_parallel",
        ),
    ),
    KillPoint("pdf-rendered", "render", ("wgreport.render.pdf.report:count_pages",)),
    KillPoint("manifest", "publish", ("wgreport.build.outputs:make_manifest",)),
    KillPoint("publish-start", "publish", ("wgreport.build.publish:publish_draft",)),
    KillPoint("first-file", "publish", ("wgreport.build.publish:_write",), nth=1),
    KillPoint("half-written", "publish", ("wgreport.build.publish:_write",), nth=6),
    KillPoint(
        "files-written", "publish", ("wgreport.build.publish:_fsync_dir",), only_if=_tmp_folder
    ),
    KillPoint("renamed", "publish", ("wgreport.build.publish:_fsync_dir",), only_if=_drafts_folder),
    KillPoint(
        "latest-link", "publish", ("pathlib:Path.symlink_to",), after=True, only_if=_latest_tmp
    ),
    KillPoint("audit-line", "publish", ("wgreport.build.audit:append_entry",)),
    KillPoint(
        "review-page", "review page", ("pathlib:Path.write_text",), after=True, only_if=_index_tmp
    ),
    KillPoint("final-pending", "final", ("wgreport.build.publish:_exchange",), final=True),
    KillPoint(
        "final-exchanged", "final", ("wgreport.build.publish:_exchange",), after=True, final=True
    ),
]
# The steps of a member's upload in the portal (`wgreport portal`), in order: the revision
# kept (received), checked, the intent to replace the member's file recorded (accepting),
# the file replaced, the outcome recorded. tests/e2e/test_portal_crash.py kills at each.
UPLOAD_POINTS = [
    KillPoint("upload-received", "portal", ("wgreport.portal.store:Store.add_revision",),
              after=True),
    KillPoint("upload-checked", "portal", ("wgreport.portal.app:check_upload",), after=True),
    KillPoint("upload-accepting", "portal", ("wgreport.portal.app:write_atomic",)),
    KillPoint("upload-replaced", "portal", ("wgreport.portal.app:write_atomic",), after=True),
    KillPoint("upload-recorded", "portal", ("wgreport.portal.app:_settle",), after=True),
]  # fmt: skip
BY_NAME = {p.name: p for p in [*POINTS, *UPLOAD_POINTS]}


def _resolve(target: str) -> tuple[Any, str]:
    import importlib

    module_name, attr = target.split(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner, name


def arm(point: KillPoint, marker: Path, *, resume: Path | None = None) -> None:
    """Wrap the point's functions so that reaching it writes `marker` and waits to die;
    with `resume`, waits only until that file exists and then goes on (a pause in which the
    parent can break something else, such as the Prefect server)."""
    calls = {"n": 0}

    def stop() -> None:
        marker.write_text(str(os.getpid()), encoding="utf-8")
        while resume is None:  # the parent kills us; never go on
            time.sleep(60)
        while not resume.exists():
            time.sleep(0.05)

    for target in point.targets:
        owner, name = _resolve(target)
        real = getattr(owner, name)

        def make(real: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(real)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if point.only_if is not None and not point.only_if(*args, **kwargs):
                    return real(*args, **kwargs)
                calls["n"] += 1
                due = calls["n"] == point.nth
                if due and not point.after:
                    stop()
                result = real(*args, **kwargs)
                if due and point.after:
                    stop()
                return result

            return wrapper

        setattr(owner, name, make(real))


def build_command(
    point: str, marker: Path, inputs: Path, outputs: Path, *, cli: bool, final: bool = False
) -> list[str]:
    """The command line of a build that stops at `point`."""
    head = [sys.executable, "-m", "tests.support.killpoints", point, str(marker)]
    extra = ["--final", "--supersede"] if final else []
    if cli:
        return [*head, "--", "build", "--year", "2024", "--inputs", str(inputs),
                "--outputs", str(outputs), *extra]  # fmt: skip
    return [*head, "--library", str(inputs), str(outputs), *extra]


@dataclass
class KillResult:
    point: str
    reached: bool
    returncode: int | None


def run_and_kill(
    command: Sequence[str], marker: Path, *, wait: float = 900.0, env: dict[str, str] | None = None
) -> KillResult:
    """Start the build; when it writes `marker`, SIGKILL it (and its process group: the
    embedded Prefect server of `wgreport build` is a child process)."""
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + wait  # a hang guard, not a measurement
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    reached = marker.exists()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return KillResult(Path(str(marker)).name, reached, proc.returncode)


def main(argv: Sequence[str]) -> int:
    point, marker, *rest = argv
    if point != "none":
        arm(BY_NAME[point], Path(marker))
    if rest[0] == "--library":
        from wgreport.build.steps import build
        from wgreport.runtime.settings import Settings, cache_root_from_env

        inputs, outputs, *flags = rest[1:]
        # the test session's shared build cache, as tests.conftest.library_settings gives
        # it (not imported here: it pins the time and locale, and benchmarks use this too)
        settings = Settings(root=ROOT, inputs_dir=Path(inputs), outputs_dir=Path(outputs),
                            cache_root=cache_root_from_env())  # fmt: skip
        build(settings, 2024, final="--final" in flags, supersede="--supersede" in flags)
        return 0
    from wgreport.cli.main import app

    assert rest[0] == "--"
    app(list(rest[1:]), standalone_mode=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
