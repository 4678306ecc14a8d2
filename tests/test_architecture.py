"""The shape of the code that import-linter cannot check: every deliberate error is in
`wgreport.errors`, Prefect is imported outside the flows only inside functions, the steps
report known stages, and modules and functions stay short.

What may import what (layers, no cycles, only the flows import Prefect, `errors` at the
bottom, the member-facing modules light) is import-linter's contracts, `[tool.importlinter]`
in pyproject.toml, run by `make lint`; tests/test_import_contracts.py shows that they fail
when broken.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "wgreport"


def _module_name(path: Path) -> str:
    parts = ["wgreport", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_exception_class_is_in_errors() -> None:
    elsewhere = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                if bases & {"Exception", "RuntimeError", "ValueError", "WgreportError"} or any(
                    b.endswith("Error") for b in bases
                ):
                    elsewhere.append(f"{_module_name(path)}.{node.name}")
    assert elsewhere == []


def _prefect_imports(path: Path) -> tuple[int, int]:
    """(module-level, inside functions) imports of prefect in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = inner = 0
    nested = {
        id(n)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        for n in ast.walk(f)
    }
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        if any(n == "prefect" or n.startswith(("prefect.", "prefect_")) for n in names):
            if id(node) in nested:
                inner += 1
            else:
                top += 1
    return top, inner


def test_prefect_outside_the_flows_is_imported_only_inside_functions() -> None:
    """The library runs without Prefect; `wgreport.flows` wraps it. The CLI's `server`
    command and server.py's deployments hand over to Prefect inside functions (the contract
    "Only the flows import Prefect" says which modules may; this says where)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        if name.startswith("wgreport.flows"):
            continue
        top, _ = _prefect_imports(path)
        if top:
            found[name] = top
    assert found == {}
    assert _prefect_imports(PACKAGE / "flows" / "annual_report.py")[0] > 0  # the check sees them


def test_every_step_reports_a_known_stage() -> None:
    from wgreport.progress import STAGES
    from wgreport.steps import STEPS

    stages = [name for name, _ in STAGES]
    assert [s for s in stages if s in {step.stage for step in STEPS}] == stages
    assert len({step.name for step in STEPS}) == len(STEPS)


#: The demo generator is the one module allowed to be long: it is mostly data.
LONG_MODULES_ALLOWED = {"wgreport.demodata"}


def test_no_module_over_600_lines_and_no_function_over_80() -> None:
    long_modules, long_functions = [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 600 and name not in LONG_MODULES_ALLOWED:
            long_modules.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{name}.{node.name} ({length} lines)")
    assert long_modules == []
    assert long_functions == []
