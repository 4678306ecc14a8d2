"""The members' light install (issue 21): `pip install wgreport` has only the core
dependencies of pyproject.toml, and the build's are the `build` extra. The member's
commands must work with the build extra absent: each runs here in a process where every
module of the build extra fails to import, as it would on a light install; and what they do
import comes only from core dependencies. The build itself says how to get the extra."""

from __future__ import annotations

import functools
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import DEMO_INPUTS, FIXTURES, ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[<>=!~\[ ;(]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


CORE = _names(PYPROJECT["project"]["dependencies"])
BUILD = _names(PYPROJECT["project"]["optional-dependencies"]["build"])


@functools.cache
def _modules_of() -> dict[str, set[str]]:
    """Each installed distribution's importable top-level modules."""
    out: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            out.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    return out


def _top_modules(distribution: str) -> set[str]:
    return _modules_of().get(distribution, set())


# Runs a wgreport command with every module of the build extra (and what only they bring,
# such as dask) refused at import, then prints the third-party modules it did import.
LIGHT = """
import importlib.abc, json, sys
BLOCKED = set(json.loads(sys.argv[1]))
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r} (the light install)")
        return None
sys.meta_path.insert(0, Refuse())
sys.argv = ["wgreport", *sys.argv[2:]]
from wgreport.cli.main import app
try:
    app()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules})
print("LOADED " + json.dumps(loaded))
sys.exit(code or 0)
"""


def _closure(names: set[str]) -> set[str]:
    """The distributions `names` need, with what those need in turn (no extras)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        todo += [r for r in _names([r for r in requires if "extra ==" not in r])]
    return seen


def _blocked() -> set[str]:
    """Every installed module that the core dependencies do not bring: what a light
    install lacks (the build extra, and what only it needs, such as pillow or lxml, which
    openpyxl would use if they were there)."""
    core = set().union(*(_top_modules(name) for name in _closure(CORE)))
    installed = set().union(*_modules_of().values())
    return installed - core - {"wgreport", "_distutils_hack", "setuptools", "pip"}


def _light(args: list[str], cwd: Path) -> tuple[int, str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", LIGHT, json.dumps(sorted(_blocked())), *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    loaded: list[str] = next((json.loads(x[7:]) for x in lines if x.startswith("LOADED ")), [])
    return done.returncode, done.stdout + done.stderr, set(loaded)


def test_the_extras_split_the_dependencies() -> None:
    assert CORE and BUILD and not CORE & BUILD
    assert {"prefect", "weasyprint", "pandas", "matplotlib"} <= BUILD
    assert "wgreport[build,portal]" in PYPROJECT["project"]["optional-dependencies"]["dev"]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    inputs = tmp_path / "inputs"
    shutil.copytree(DEMO_INPUTS, inputs)
    return inputs


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["validate", "inputs/2024/contributions/KR.yaml"], 0),
        (["validate", "inputs/2024"], 0),
        (["validate", "--format", "json", "bad.yaml"], 1),
        (["new", "--member", "KR", "--year", "2024", "--inputs", "empty"], 0),
        (["schema", "--out", "schemas"], 0),
        (["status", "--year", "2024", "--inputs", "inputs", "--format", "json"], 0),
        (["edition", "new", "--year", "2025", "--deadline", "2026-02-27"], 0),
        (["comments", "--year", "2024", "--inputs", "inputs"], 0),
        (["--version"], 0),
        (
            [
                "template",
                "--member",
                "KR",
                "--year",
                "2024",
                "--format",
                "xlsx",
                "--inputs",
                "inputs",
            ],
            0,
        ),
    ],
)
def test_a_members_command_runs_on_the_light_install(
    tree: Path, args: list[str], code: int
) -> None:
    folder = tree.parent
    shutil.copy(FIXTURES / "invalid" / "01-unknown-top-level-key.yaml", folder / "bad.yaml")
    empty = folder / "empty"
    (empty / "2024").mkdir(parents=True)
    shutil.copy(DEMO_INPUTS / "working-group.yaml", empty)
    shutil.copy(DEMO_INPUTS / "2024" / "edition.yaml", empty / "2024")
    returned, output, loaded = _light(args, folder)
    assert returned == code, output
    allowed = set().union(*(_top_modules(name) for name in _closure(CORE)))
    third_party = loaded & set().union(*_modules_of().values())
    assert third_party - allowed - {"wgreport", "_distutils_hack"} == set(), output


def test_the_build_on_a_light_install_says_how_to_get_the_extra(tree: Path) -> None:
    returned, output, _ = _light(["build", "--year", "2024", "--inputs", "inputs"], tree.parent)
    assert returned == 2, output
    assert "pip install 'wgreport[build]'" in output
