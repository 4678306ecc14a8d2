"""One layout: `wgreport.layout` describes where the inputs', the outputs' and the portal's
files are and how a path is shown; no other module spells those names to build a path."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

from wgreport import layout
from wgreport.layout import Draft, Inputs, Outputs, PortalFiles, shown

SRC = Path(__file__).resolve().parents[2] / "src" / "wgreport"

# The names of the layout, and the fragments of names built with a value in them.
NAMES = {
    layout.WORKING_GROUP, layout.EDITION, layout.FOREWORD, layout.CONTRIBUTIONS,
    layout.REVIEWS, layout.DRAFTS, layout.LATEST, layout.FINAL, layout.INDEX,
    layout.BUILDS_LOG, layout.REPORT_PDF, layout.REPORT_HTML, layout.MANIFEST, layout.SUMS,
    layout.VALIDATION, layout.REPORT_JSON, layout.COMMENTS_HTML, layout.COMMENTS_CSV,
    layout.DATA, layout.PORTAL_DIR, layout.PORTAL_DB, layout.REVISIONS, layout.BUILDS,
    layout.LOCKS,
}  # fmt: skip
FRAGMENTS = (layout.INDICATORS_SUFFIX, layout.SUPERSEDED_PREFIX)
PATH_CALLS = {"glob", "rglob", "joinpath", "index", "Path", "with_name"}

# Places that may still spell a name, each with its reason (module, line's text fragment).
ALLOWED: dict[tuple[str, str], str] = {
    ("portal/schema.py", "revisions/*/*/"): "migration of the JSON files of earlier versions",
    ("portal/schema.py", "builds/*/"): "migration of the JSON files of earlier versions",
}


def _is_layout_name(text: str) -> bool:
    parts = [p for p in re.split(r"[/*]", text) if p]
    return any(p in NAMES for p in parts) or any(f in text for f in FRAGMENTS)


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        ]
    if isinstance(node, ast.Tuple | ast.List):
        return [s for e in node.elts for s in _literals(e)]
    return []


def _year_folder(node: ast.AST) -> bool:
    """`root / str(year)`: an edition's folder."""
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "str"


def _spelled(node: ast.AST) -> bool:
    return any(_is_layout_name(s) for s in _literals(node))


def _path_operands(tree: ast.Module) -> list[ast.AST]:
    """The expressions that make or name a path: the operands of `/`, of a comparison
    (`path.name == "edition.yaml"`), a glob's pattern, an f-string joining a name with `/`,
    a loop over names, a module-level `NAME = "builds.log"`."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            found += [node.left, node.right]
            if _year_folder(node.right):
                found.append(node)
        elif isinstance(node, ast.Compare):
            found += [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in PATH_CALLS:
                found += node.args
        elif isinstance(node, ast.JoinedStr):
            parts = _literals(node)  # a path template, not a sentence that names a folder
            if any("/" in s for s in parts) and not any(c.isspace() for s in parts for c in s):
                found.append(node)
        elif isinstance(node, ast.For):
            found.append(node.iter)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and isinstance(stmt.value, ast.Constant):
            found.append(stmt.value)
    return found


def spelled_paths(src: Path = SRC) -> list[str]:
    """Every line outside layout.py that spells a layout name to build or name a path."""
    out: set[str] = set()
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel == "layout.py":
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in _path_operands(ast.parse(text)):
            year_folder = isinstance(node, ast.BinOp) and _year_folder(node.right)
            if not (year_folder or _spelled(node)):
                continue
            line = lines[node.lineno - 1].strip()  # type: ignore[attr-defined]
            if any(m == rel and frag in line for (m, frag) in ALLOWED):
                continue
            out.add(f"{rel}:{node.lineno}: {line}")  # type: ignore[attr-defined]
    return sorted(out, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def test_no_module_but_layout_spells_the_layout() -> None:
    found = spelled_paths()
    assert not found, (
        "these lines spell the inputs'/outputs'/portal's layout by hand; ask "
        "wgreport.layout instead (or add an entry with its reason to ALLOWED):\n" + "\n".join(found)
    )


def test_the_checker_finds_a_hand_spelled_path(tmp_path: Path) -> None:
    (tmp_path / "example.py").write_text(
        "from pathlib import Path\n"
        "NAME = 'builds.log'\n"
        "def f(root: Path, year: int, code: str) -> Path:\n"
        "    return root / str(year) / 'contributions' / f'{code}.yaml'\n"
        "def g(path: Path) -> bool:\n"
        "    return path.name == 'edition.yaml'\n"
        "def h(base: str) -> str:\n"
        "    return f'{base}/SHA256SUMS'\n"
        "def ok() -> str:\n"
        "    return 'the final of 2024 is published'\n",
        encoding="utf-8",
    )
    found = [line.split(":")[1] for line in spelled_paths(tmp_path)]
    assert found == ["2", "4", "6", "8"]


def test_inputs_layout() -> None:
    inputs = Inputs(Path("/p/inputs"))
    edition = inputs.edition(2024)
    assert inputs.working_group == Path("/p/inputs/working-group.yaml")
    assert edition.folder == Path("/p/inputs/2024")
    assert edition.settings == Path("/p/inputs/2024/edition.yaml")
    assert edition.foreword == Path("/p/inputs/2024/foreword.md")
    assert edition.file("method.md") == Path("/p/inputs/2024/method.md")
    assert edition.contribution("KR") == Path("/p/inputs/2024/contributions/KR.yaml")
    assert edition.contribution("KR", ".yml").name == "KR.yml"
    assert edition.indicators("KR") == Path("/p/inputs/2024/contributions/KR.indicators.csv")
    assert edition.images("KR") == Path("/p/inputs/2024/contributions/KR")
    assert edition.review("rev-1") == Path("/p/inputs/2024/reviews/rev-1.yaml")


def test_inputs_years_are_the_folders_with_an_edition(tmp_path: Path) -> None:
    inputs = Inputs(tmp_path / "inputs")
    assert inputs.years() == []
    for year in (2025, 2023):
        inputs.edition(year).folder.mkdir(parents=True)
        inputs.edition(year).settings.write_text("year: 1\n", encoding="utf-8")
    (tmp_path / "inputs" / "2024").mkdir()  # no edition.yaml: not an edition
    (tmp_path / "inputs" / "notes").mkdir()
    assert inputs.years() == [2023, 2025]


def test_outputs_layout() -> None:
    year = Outputs(Path("/p/outputs")).year(2024)
    assert year.folder == Path("/p/outputs/2024")
    assert year.draft(3) == year.draft("003") == Draft(Path("/p/outputs/2024/drafts/003"))
    assert year.draft(12).manifest == Path("/p/outputs/2024/drafts/012/manifest.json")
    assert year.latest == Path("/p/outputs/2024/latest")
    assert year.final.report_pdf == Path("/p/outputs/2024/final/report.pdf")
    assert year.superseded("20240101T000000Z").name == "final-superseded-20240101T000000Z"
    assert year.index.name == "index.html" and year.builds_log.name == "builds.log"
    draft = year.draft(1)
    assert [draft.report_html.name, draft.sums.name, draft.validation.name] == [
        "report.html", "SHA256SUMS", "validation.json"
    ]  # fmt: skip
    assert draft.data("indicators.csv") == draft.file(layout.data_file("indicators.csv"))


def test_portal_layout() -> None:
    portal = PortalFiles.in_project(Path("/p"))
    assert portal.database == Path("/p/.portal/portal.db")
    assert portal.revision(2024, "KR", 7, ".xlsx") == Path("/p/.portal/revisions/2024/KR/007.xlsx")
    assert portal.build_log(2024, 2) == Path("/p/.portal/builds/2024/002.log")
    assert portal.locks(2024) == Path("/p/.portal/locks/2024")


def test_a_path_is_shown_as_messages_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    (project / "outputs" / "2024" / "drafts" / "001").mkdir(parents=True)
    (project / "outputs" / "2024" / "latest").symlink_to("drafts/001")
    monkeypatch.chdir(project)
    inputs = Inputs(project / "inputs")
    kr = inputs.edition(2024).contribution("KR")
    assert inputs.shown(kr) == os.path.join("inputs", "2024", "contributions", "KR.yaml")
    assert inputs.shown(Path("/elsewhere/KR.yaml")) == "/elsewhere/KR.yaml"
    assert shown(kr) == "inputs/2024/contributions/KR.yaml"
    assert shown(Path("/elsewhere/x")) == "/elsewhere/x"
    via_link = project / "outputs" / "2024" / "latest" / "report.pdf"
    assert shown(via_link) == "outputs/2024/latest/report.pdf"  # as named, not resolved
    assert shown(Path("../proj/inputs/x.yaml"), resolve=True) == "inputs/x.yaml"
    assert shown(Path("../proj/inputs/x.yaml")) == "../proj/inputs/x.yaml"
