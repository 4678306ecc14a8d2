"""outputs/<year>/index.html: the reviewers' page, regenerated after every build.

A static page (no scripts, relative links) that lists every draft newest first with its
build time, pages, size, links, the PDF's sha256 and what changed since the draft before;
the final, if any; and the current submission status.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .review import changes_lines, compare_drafts, draft_folders

DATA_LINKS = [
    "data/indicators.csv",
    "data/initiatives.csv",
    "report.json",
    "comments.html",
    "comments.csv",
]


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def _entry(year_dir: Path, folder: Path) -> dict[str, Any]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pdf = folder / "report.pdf"
    base = folder.relative_to(year_dir).as_posix()
    return {
        "name": "Final" if manifest.get("final") else f"Draft {manifest['draft']}",
        "id": folder.name,
        "built_at": manifest["built_at"],
        "pages": manifest["pages"],
        "size": _size(pdf.stat().st_size) if pdf.is_file() else "",
        "pdf_sha256": manifest["outputs"].get("report.pdf", ""),
        "pdf": f"{base}/report.pdf",
        "html": f"{base}/report.html",
        "data": [(f"{base}/{d}", d) for d in DATA_LINKS if (folder / d).is_file()],
        "sums": f"{base}/SHA256SUMS" if (folder / "SHA256SUMS").is_file() else None,
        "manifest": manifest,
        "changes": [],
    }


def review_context(year_dir: Path) -> dict[str, Any]:
    """Everything the page shows, read from the year's published folders."""
    drafts = draft_folders(year_dir)
    entries = [_entry(year_dir, d) for d in drafts]
    for i in range(1, len(drafts)):
        entries[i]["changes"] = changes_lines(compare_drafts(drafts[i - 1], drafts[i])) or [
            "nothing"
        ]
    final = year_dir / "final"
    final_entry = _entry(year_dir, final) if (final / "manifest.json").is_file() else None
    newest = final_entry or (entries[-1] if entries else None)
    status: dict[str, Any] = {"included": [], "left_out": []}
    if newest is not None:
        status = {
            "from": newest["name"],
            "included": newest["manifest"]["members_included"],
            "left_out": newest["manifest"]["members_left_out"],
        }
    return {
        "year": int(year_dir.name),
        "drafts": list(reversed(entries)),
        "final": final_entry,
        "status": status,
    }


def write_review_page(year_dir: Path, templates_dir: Path) -> Path:
    """Render outputs/<year>/index.html atomically; return its path."""
    from .render import make_environment

    page = make_environment(templates_dir).get_template("review.html.j2")
    html = page.render(r=review_context(year_dir))
    target = year_dir / "index.html"
    tmp = year_dir / f".index-{os.getpid()}.html"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, target)
    return target
