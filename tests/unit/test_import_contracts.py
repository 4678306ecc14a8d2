"""import-linter's contracts (`[tool.importlinter]` in pyproject.toml, run by `make lint`)
hold on the package and fail when it breaks them: each case adds one import, most of them
inside a function (a lazy import is a dependency too), to a copy of the package and runs
lint-imports over the copy."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS: dict[str, dict[str, Any]] = {
    c["id"]: c for c in PYPROJECT["tool"]["importlinter"]["contracts"]
}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tmp_path: Path, module: str = "", added: str = "") -> dict[str, str]:
    """Each contract's name and verdict (KEPT or BROKEN) on a copy of the package with
    `added` appended to `module`."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "wgreport",
        src / "wgreport",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    if module:
        assert (src / "wgreport" / module).is_file(), module
        with (src / "wgreport" / module).open("a", encoding="utf-8") as f:
            f.write(added)
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "240", "NO_COLOR": "1"}
    out = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    verdicts = dict(re.findall(r"^(.+?) (KEPT|BROKEN)\b", out.stdout, re.MULTILINE))
    assert len(verdicts) == len(CONTRACTS), out.stdout + out.stderr
    assert out.returncode == (1 if "BROKEN" in verdicts.values() else 0), out.stdout
    return verdicts


def test_the_contracts_hold(tmp_path: Path) -> None:
    assert set(_lint_imports(tmp_path).values()) == {"KEPT"}


def _lazy(statement: str) -> str:
    return f"\n\ndef _added_for_the_test() -> None:\n    {statement}\n"


#: (contract, module, the import added to it)
BROKEN = [
    ("prefect", "inputs/validation.py", _lazy("import prefect")),
    ("prefect", "portal/web.py", "\nfrom prefect import flow\n"),
    ("errors", "errors.py", "\nfrom .inputs import limits\n"),
    ("acyclic", "inputs/models.py", _lazy("from . import validation")),
    ("acyclic", "inputs/limits.py", _lazy("from ..build import progress")),  # two wings
    ("acyclic", "render/pdf/parts.py", _lazy("from . import merge")),
    ("entry-points", "portal/app.py", _lazy("from ..flows import launch")),
    ("library", "build/publish.py", _lazy("from ..cli import main")),
    ("stages", "render/html.py", _lazy("from .pdf import report")),
    ("portal", "portal/web.py", _lazy("from ..build import steps")),
    ("member-facing", "inputs/schemas.py", _lazy("import pandas")),
    ("member-facing", "inputs/validation.py", _lazy("from ..figures import drawing")),  # indirectly
]


@pytest.mark.parametrize(
    ("contract", "module", "added"),
    BROKEN,
    ids=[f"{contract}:{module}" for contract, module, _ in BROKEN],
)
def test_a_contract_fails_when_broken(
    tmp_path: Path, contract: str, module: str, added: str
) -> None:
    verdicts = _lint_imports(tmp_path, module, added)
    assert verdicts[CONTRACTS[contract]["name"]] == "BROKEN", verdicts


def test_the_member_facing_contract_forbids_the_build_and_portal_extras() -> None:
    """A dependency added to the build or portal extra is forbidden to the member-facing
    modules too, under each name it is imported by."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    names = {
        re.split(r"[<>=!~\[ ;(]", r, maxsplit=1)[0].lower().replace("_", "-")
        for r in extras["build"] + extras["portal"]
    } - {"wgreport"}
    modules: set[str] = set()
    for module, distributions in importlib.metadata.packages_distributions().items():
        if any(d.lower().replace("_", "-") in names for d in distributions):
            modules.add(module)
    assert {"prefect", "pandas", "weasyprint", "matplotlib", "starlette"} <= modules
    assert modules <= set(CONTRACTS["member-facing"]["forbidden_modules"])
