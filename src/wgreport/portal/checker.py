"""Checking an upload outside the portal's event loop: in its own process, with a time
and a memory limit, so that a hostile or huge file costs its sender a refusal and nobody
else a wait.

    python -m wgreport.portal.checker  < request.json  > result.json

The request names the edition's inputs, the year, the member and the uploaded file; the
result holds the lines `wgreport validate` prints, the issues as its JSON gives them,
whether the file is valid and, for a valid workbook, the v1 YAML made from it (which must
itself be within the upload limit and valid as the member's YAML file to be accepted).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .limits import DEFAULT_LIMITS, PortalLimits

_MEMORY_EXIT = 3


@dataclass
class CheckResult:
    valid: bool
    lines: list[str] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    yaml: str | None = None  # the v1 YAML of a valid workbook
    refusal: str | None = None  # why the file was refused without a validation report


def check_upload(
    inputs_dir: Path, year: int, code: str, upload: Path, limits: PortalLimits = DEFAULT_LIMITS
) -> CheckResult:
    """Check `upload` as member `code`'s file in a child process bounded by `limits`."""
    request = {"inputs": str(inputs_dir), "year": year, "code": code, "upload": str(upload),
               "upload_bytes": limits.upload_bytes,
               "memory_bytes": limits.check_memory_bytes}  # fmt: skip
    seconds = limits.check_seconds
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wgreport.portal.checker"],
            input=json.dumps(request).encode("utf-8"), capture_output=True, timeout=seconds,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, start_new_session=True,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return CheckResult(False, refusal=(
            f"Checking this file took longer than {seconds:g} seconds, so it was stopped. "
            "A contribution is checked in about a second: send the template's file with "
            "your content (no extra sheets, rows or large cells)."))  # fmt: skip
    if out_of_memory(proc.returncode, proc.stderr):
        size = limits.check_memory_bytes
        amount = f"{size // 1048576} MiB" if size >= 1048576 else f"{size // 1024} KiB"
        return CheckResult(False, refusal=(
            f"Checking this file needed more than {amount} of memory, so it was stopped. "
            "Send the template's file with your content only."))  # fmt: skip
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise RuntimeError(f"the upload checker failed: {' '.join(tail)}")
    data = json.loads(proc.stdout)
    return CheckResult(**data)


def _bound(memory_bytes: int) -> None:
    """Let the check use `memory_bytes` of address space beyond what the process holds
    once its (trusted) modules are imported: the limit is on the work the file causes."""
    from .. import terminal  # noqa: F401
    from ..inputs import issues, validate_paths, validation, workbook  # noqa: F401
    from ..runtime.bounds import limit_address_space

    limit_address_space(memory_bytes)


def _validate(inputs_dir: Path, year: int, code: str, upload: Path) -> CheckResult:
    """The library's check of an upload (`validate_paths.validate_upload`, what
    `wgreport validate` does for the member's file), as the lines it prints and its JSON."""
    from ..inputs.validate_paths import validate_upload
    from ..terminal import format_text

    report = validate_upload(upload, inputs_dir, year, code)
    issues = [
        {"file": file["file"], **issue}
        for file in report.to_dict()["files"]
        for issue in file["issues"]
    ]
    # the lines `wgreport validate` prints, without its summary line
    return CheckResult(report.valid, format_text(report)[:-1], issues)


def run(request: dict[str, Any]) -> CheckResult:
    inputs_dir, year, code = Path(request["inputs"]), int(request["year"]), request["code"]
    upload = Path(request["upload"])
    checked = _validate(inputs_dir, year, code, upload)
    if not checked.valid or upload.suffix != ".xlsx":
        return checked
    from ..inputs.workbook import read_workbook, to_yaml

    text = to_yaml(read_workbook(upload).data)
    size = len(text.encode("utf-8"))
    if size > int(request["upload_bytes"]):
        limit = int(request["upload_bytes"]) // 1024
        return CheckResult(False, checked.lines, checked.issues, refusal=(
            f"The YAML made from this workbook is {size // 1024} KiB, more than the "
            f"{limit} KiB an uploaded file may be. Shorten the longest texts."))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        made = Path(tmp) / f"{code}.yaml"
        made.write_text(text, encoding="utf-8")
        again = _validate(inputs_dir, year, code, made)
    if not again.valid:
        again.lines.insert(0, "The YAML made from your workbook has these problems:")
        return again
    return CheckResult(True, checked.lines, checked.issues, yaml=text)


#: What an interpreter starved of memory says instead of raising MemoryError where the
#: checker could catch it: at exit ("lost sys.stderr", exit code 120), or from C code
#: that could not allocate (SystemError).
_STARVED = ("MemoryError", "Cannot allocate memory", "lost sys.stderr", "SystemError")


def out_of_memory(returncode: int, stderr: bytes) -> bool:
    """Whether the checker stopped for want of memory: its own exit code, a signal (the
    kernel's), or one of the ways a starved interpreter fails (_STARVED)."""
    if returncode == _MEMORY_EXIT or returncode < 0:
        return True
    text = stderr.decode("utf-8", "replace")
    return returncode != 0 and any(sign in text for sign in _STARVED)


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    _bound(int(request["memory_bytes"]))
    try:
        result = run(request)
    except (MemoryError, ImportError, SystemError):  # a module loaded late cannot be
        # mapped, C code that cannot allocate: memory
        return _MEMORY_EXIT
    except OSError as exc:
        if exc.errno == errno.ENOMEM:
            return _MEMORY_EXIT
        raise
    sys.stdout.write(json.dumps(result.__dict__, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
