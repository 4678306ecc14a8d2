"""What must hold after a build is killed: shared by tests/e2e/test_crash.py and
benchmarks/killtest.py."""

from __future__ import annotations

from pathlib import Path

from wgreport.build.publish import digest_tree, verify_folder


def published(year_dir: Path) -> dict[str, str]:
    """Every published folder of the year (drafts, final, superseded finals) → its digest."""
    folders = [p for p in (year_dir / "drafts").glob("*") if not p.name.startswith(".")]
    folders += [p for p in year_dir.glob("final*") if p.is_dir()]
    return {p.relative_to(year_dir).as_posix(): digest_tree(p) for p in sorted(folders)}


def problems_after_kill(
    year_dir: Path, before: dict[str, str], inputs: Path, inputs_digest: str
) -> list[str]:
    """Why the state after a kill is not acceptable (an empty list when it is).

    - every earlier draft is unchanged (same digest), and every earlier final's content is
      still visible: as final/, or as final-superseded-<time>/ once a --supersede build
      put its new final in place;
    - every visible folder is complete: it matches its SHA256SUMS (a folder still being
      written may exist only under a dot name, which the next build removes);
    - inputs/ is byte-identical.
    """
    out: list[str] = []
    now = published(year_dir)
    finals = {d for n, d in now.items() if n.startswith("final")}
    for name, digest in before.items():
        if name.startswith("final"):
            # --supersede may replace final/, but the old one stays visible as
            # final-superseded-<time>/, complete and unchanged.
            if digest not in finals:
                out.append(f"the content of {name} is no longer visible")
        elif now.get(name) != digest:
            out.append(f"{name} changed or vanished")
    for name in now:
        bad = [row for row in verify_folder(year_dir / name) if row[1] != "OK"]
        if bad:
            out.append(f"{name} is visible but incomplete: {bad[:3]}")
    if digest_tree(inputs) != inputs_digest:
        out.append("inputs/ changed")
    return out


def leftovers(year_dir: Path) -> list[str]:
    """Temporary names still present (none may survive a successful build)."""
    patterns = (".tmp-*", ".pending-*", ".latest-*", ".index-*")
    found = [p for pat in patterns for p in year_dir.glob(pat)]
    found += [p for p in (year_dir / "drafts").glob(".tmp-*")]
    return sorted(p.name for p in found)
