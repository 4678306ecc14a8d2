"""The shape of the code that import-linter cannot check: every deliberate error is in
`wgreport.errors`, Prefect is imported outside the flows only inside functions, the steps
report known stages, and modules and functions stay short.

What may import what (layers, no cycles, only the flows import Prefect, `errors` at the
bottom, the member-facing modules light) is import-linter's contracts, `[tool.importlinter]`
in pyproject.toml, run by `make lint`; tests/unit/test_import_contracts.py shows that they fail
when broken.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "wgreport"


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
    from wgreport.build.progress import STAGES
    from wgreport.build.steps import STEPS

    stages = [name for name, _ in STAGES]
    assert [s for s in stages if s in {step.stage for step in STEPS}] == stages
    assert len({step.name for step in STEPS}) == len(STEPS)


#: The demo generator is the one module allowed to be long: it is mostly data.
LONG_MODULES_ALLOWED = {"wgreport.inputs.demodata"}


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


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_cross_imports(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Where a module uses another module's private (`_name`) name: `from m import _x`
    (relative or absolute, at module level or in a function), `from . import _x`, and
    `m._x` on a module `m` of ours that it imported. `sources`: module name → (its source,
    whether it is a package's __init__)."""
    modules = set(sources)
    found: list[str] = []
    for name, (text, is_package) in sorted(sources.items()):
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(text)
        bound: dict[str, str] = {}  # local name → the module of ours it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "wgreport":
                        key = alias.asname or alias.name.split(".")[0]
                        bound[key] = alias.name if alias.asname else "wgreport"
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                if base not in modules:
                    continue
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    owner = full if full in modules else base
                    if full in modules:
                        bound[alias.asname or alias.name] = full
                    if _is_private(alias.name) and owner != name:
                        found.append(f"{name}:{node.lineno} from {base} import {alias.name}")
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and _is_private(node.attr)):
                continue
            chain: list[str] = []
            value = node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in bound:
                target = ".".join([bound[value.id], *chain])
                if target in modules and target != name:
                    found.append(f"{name}:{node.lineno} {target}.{node.attr}")
    return found


def _our_sources() -> dict[str, tuple[str, bool]]:
    return {
        _module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def test_the_private_import_finder_sees_every_form() -> None:
    sources = {
        "wgreport": ("", True),
        "wgreport.a": ("_x = 1\n_y = 2\n", False),
        "wgreport.p": ("from . import _q\n", True),  # a package's own private module
        "wgreport.p._q": ("", False),
        "wgreport.p.b": (
            "import wgreport.a\n"
            "import wgreport.a as aa\n"
            "from wgreport import a\n"
            "from .. import a as a2\n"
            "from ..a import _x, __all__\n"  # relative; a dunder is not private
            "from . import _q\n"
            "def f():\n"
            "    from wgreport.a import _y\n"  # lazy
            "    return wgreport.a._x, aa._x, a._y, a2._y, a.public\n",
            False,
        ),
        "wgreport.c": ("from .c import _z\n_z = 0\nimport wgreport.c as me\nme._z\n", False),
    }
    found = private_cross_imports(sources)
    assert [f.split(" ", 1)[0] for f in found] == [
        "wgreport.p:1",
        "wgreport.p.b:5",
        "wgreport.p.b:6",
        "wgreport.p.b:8",
        "wgreport.p.b:9",
        "wgreport.p.b:9",
        "wgreport.p.b:9",
        "wgreport.p.b:9",
    ], found


def test_no_module_imports_another_modules_private_name() -> None:
    """A module uses what another offers (its public names), never its insides: a name that
    others need is public in its module, or the logic lives where it is used."""
    assert private_cross_imports(_our_sources()) == []
