"""The input files the library writes on people's behalf (a member's corrections as a
review comment, the country-validation record): read round trip, so that the comments and
layout a person wrote are kept; checked as `wgreport validate` checks them before anything
is written; written whole (a temporary file renamed over the old one) under the edition's
lock, so that two writers never lose each other's change.

The portal's own review writer (`portal/reviews.py`) does the same for reviewers' forms;
`add_comment` here is its library form, usable without the portal.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..inputs.comments import drafts_known, validate_review
from ..inputs.issues import FileReport
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs


@contextlib.contextmanager
def edition_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of an edition's input folder (an flock on the folder itself, so no
    lock file is left among the inputs): one writer at a time, across threads and
    processes; the kernel releases it when its holder dies."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def write_atomic(path: Path, text: str) -> None:
    """Write `path` whole or not at all: a temporary file beside it, synced, renamed over
    the old one, the folder synced. On an error the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_roundtrip(path: Path) -> Any:
    """A YAML file's data with its comments and layout, for writing back."""
    from ruamel.yaml import YAML

    return YAML().load(path.read_text(encoding="utf-8"))


def dump_roundtrip(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def checked_text(
    name: str, text: str, check: Callable[[Path], FileReport]
) -> tuple[str, list[str]]:
    """`text` and its errors, checked by `check` in a temporary file named `name` (each
    error as `name:line:column: code: message (hint: …)`)."""
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / name
        trial.write_text(text, encoding="utf-8")
        report = check(trial)
    problems = [
        f"{name}:{i.line}:{i.column}: {i.code}: {i.message}"
        + (f" (hint: {i.hint})" if i.hint else "")
        for i in report.sorted_issues()
        if i.severity == "error"
    ]
    return text, problems


def add_comment(
    inputs_dir: Path,
    outputs_dir: Path | None,
    year: int,
    reviewer: dict[str, Any],
    comment: dict[str, Any],
) -> tuple[int | None, list[str]]:
    """Add `comment` (without its id) to the review file of `reviewer["id"]`, creating it
    with `reviewer` when there is none: the new comment's id, or None and the problems
    (then nothing is written). The caller holds the edition's lock."""
    path = Inputs(inputs_dir).edition(year).review(str(reviewer["id"]))
    if path.is_file():
        data = load_roundtrip(path)
    else:
        data = {"schema": "wgreport/review/v1", "year": year, "reviewer": reviewer}
    comments = data.setdefault("comments", [])
    number = max((int(c.get("id", 0)) for c in comments if isinstance(c, dict)), default=0) + 1
    comments.append({"id": number, **comment})
    wg, _ = load_working_group(Inputs(inputs_dir).working_group)
    drafts = drafts_known(Outputs(outputs_dir).year(year).folder) if outputs_dir else None
    text, problems = checked_text(
        path.name,
        dump_roundtrip(data),
        lambda trial: validate_review(trial, wg, year, drafts, path.name).report,
    )
    if problems:
        return None, problems
    write_atomic(path, text)
    return number, []
