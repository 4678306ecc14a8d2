"""The golden tree: every file a build of the demo edition publishes, except the PDF binary.

`tree_of(year_dir)` reads a built year folder (drafts, review page) into `{path: text}`,
with what legitimately differs between machines and commits replaced by a marker:
the PDF's bytes (its sha256 and size; the PDF is checked by reading it back elsewhere),
the git commit, the manifest's own digest and the number of cores the render used.
Chart SVGs are replaced by their sha256, so the files stay readable while still pinning
every byte of every chart.

Only `scripts/update-golden` writes `tests/golden/tree/` (through `make golden`); the
golden test reads it and never writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

GOLDEN_TREE = Path(__file__).resolve().parents[1] / "golden" / "tree"
#: The demo's Korean page (`build --lang ko`), normalised as the tree's files are.
GOLDEN_KOREAN = Path(__file__).resolve().parents[1] / "golden" / "korean" / "report.ko.html"

_SVG = re.compile(
    r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+|<svg [^>]*class=\\?\"chart-svg.*?</svg>", re.S
)
_SIZE = re.compile(r"\b\d+(\.\d)? (kB|MB)\b")


def pin_images(text: str) -> str:
    """Chart SVGs (inline or as data: URLs) replaced by their sha256."""
    return _SVG.sub(lambda m: "svg-sha256:" + hashlib.sha256(m.group(0).encode()).hexdigest(), text)


def _manifest(text: str) -> str:
    record: dict[str, Any] = json.loads(text)
    record["git_commit"] = "<git commit>"
    record["outputs"]["report.pdf"] = "<pdf sha256>"
    if "workers" in record.get("render", {}):
        record["render"]["workers"] = "<cores>"
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _sums(text: str) -> str:
    out = []
    for line in text.splitlines():
        digest, name = line.split(maxsplit=1)
        if name.lstrip("*") in ("report.pdf", "manifest.json"):
            digest = f"<{name.lstrip('*')} sha256>"
        out.append(f"{digest}  {name}")
    return "\n".join(out) + "\n"


def _review_page(text: str, pdf_digests: set[str]) -> str:
    for digest in pdf_digests:
        text = text.replace(digest, "<pdf sha256>")
    return _SIZE.sub("<size>", text)


def tree_of(year_dir: Path) -> dict[str, str]:
    """Every published file under `year_dir` except PDFs and the build log, normalised."""
    pdf_digests = {
        hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(year_dir.rglob("report.pdf"))
    }
    tree: dict[str, str] = {}
    for path in sorted(year_dir.rglob("*")):
        name = path.relative_to(year_dir).as_posix()
        if (
            not path.is_file()
            or path.is_symlink()
            or path.suffix == ".pdf"
            or name == "builds.log"
            or name.startswith(".")
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if path.name == "manifest.json":
            text = _manifest(text)
        elif path.name == "SHA256SUMS":
            text = _sums(text)
        elif name == "index.html":
            text = _review_page(text, pdf_digests)
        tree[name] = pin_images(text)
    return tree


def read_golden() -> dict[str, str]:
    """The committed golden tree."""
    return {
        p.relative_to(GOLDEN_TREE).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN_TREE.rglob("*"))
        if p.is_file()
    }


def korean_page(draft: Path) -> str:
    """A draft's Korean web page (report.ko.html), its charts replaced by their sha256."""
    return pin_images((draft / "report.ko.html").read_text(encoding="utf-8"))
