"""Cache keys for the flow's tasks: digests of what a task reads, never paths.

A key combines the sha256 of every input file the task depends on (by its name inside the
inputs folder, so a copy of the inputs elsewhere hits the same cache), a digest of the
wgreport library's source (a changed rule re-validates) and, through Prefect's
TASK_SOURCE policy, the task's own source. Results are persisted under
`$PREFECT_HOME/storage` (the project's `.prefect/`), so a rerun reuses them.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from prefect.cache_policies import TASK_SOURCE, CacheKeyFnPolicy, CachePolicy
from prefect.context import TaskRunContext

import wgreport
from wgreport.build.publish import sha256_file
from wgreport.inputs.edition import EditionFiles, LoadedEdition, list_years
from wgreport.layout import Inputs

_DIGESTING = threading.Lock()


def library_digest() -> str:
    """sha256 over the wgreport package's Python sources, computed once per process (the
    validations' task runs ask for it at once, from their threads)."""
    with _DIGESTING:
        return _library_digest()


@lru_cache(maxsize=1)
def _library_digest() -> str:
    digest = hashlib.sha256()
    package = Path(wgreport.__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _files_digest(inputs_dir: Path, paths: list[Path]) -> str:
    digest = hashlib.sha256(library_digest().encode())
    for path in sorted(set(paths)):
        try:
            name = path.relative_to(inputs_dir).as_posix()
        except ValueError:
            name = path.name
        digest.update(f"{name}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def member_files(files: EditionFiles, contribution: Path) -> list[Path]:
    """What validating one contribution reads: the file, the member's CSV and images, and
    the group and edition files."""
    code = contribution.stem.upper()
    folder = files.contributions_dir
    related = [p for p in folder.iterdir() if p.is_file() and p.name.upper().startswith(code + ".")]
    images = (
        [p for p in (folder / code).rglob("*") if p.is_file()] if (folder / code).is_dir() else []
    )
    return [files.working_group, files.edition, contribution, *related, *images]


def edition_input_files(files: EditionFiles) -> list[Path]:
    """Every file of the edition and of the editions before it, with the group's file."""
    paths = [files.working_group]
    for year in list_years(files.inputs_dir):
        if year <= files.year:
            folder = Inputs(files.inputs_dir).edition(year).folder
            paths += [p for p in folder.rglob("*") if p.is_file()]
    return paths


def contribution_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    files: EditionFiles = parameters["setup"].files
    path: Path = parameters["path"]
    display = files.display(path)  # shown in the issues the result carries
    return f"validate-{display}-" + _files_digest(files.inputs_dir, member_files(files, path))


def edition_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    loaded: LoadedEdition = parameters["loaded"]
    files = loaded.files
    extra = "-".join(
        f"{k}={v}" for k, v in sorted(parameters.items()) if isinstance(v, bool | int | str)
    )
    # a member left out after its chapter overran changes the edition, not its files
    members = ",".join(sorted(loaded.contributions))
    return f"edition-{files.year}-{extra}-{members}-" + _files_digest(
        files.inputs_dir, edition_input_files(files)
    )


#: validate-contribution: the member's files, the library and the task's source.
BY_MEMBER_FILES: CachePolicy = TASK_SOURCE + CacheKeyFnPolicy(cache_key_fn=contribution_key)
#: aggregate and make-charts: every input of the edition (and earlier ones).
BY_EDITION_FILES: CachePolicy = TASK_SOURCE + CacheKeyFnPolicy(cache_key_fn=edition_key)
