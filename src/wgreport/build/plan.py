"""What a build is before it runs: its draft number or the final, its build info, the
final's policy (every expected member valid, or named with --allow-missing; a member
whose chapter overran is left out), and the parameters builds.log records."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..content.reportmodel import BuildInfo
from ..errors import FinalRefused, PartsTimedOut
from ..inputs.comments import Reviews
from ..inputs.edition import LoadedEdition
from ..runtime.clock import build_time
from ..runtime.settings import Settings
from .publish import draft_name


def make_build_info(
    number: int | None, final: bool = False, allowed_missing: Sequence[str] = ()
) -> BuildInfo:
    """Draft label, pinned or current build time, and the tool version."""
    when = build_time().isoformat().replace("+00:00", "Z")
    label = None if final or number is None else f"Draft {draft_name(number)}"
    return BuildInfo(
        draft=label,
        built_at=when,
        version=__version__,
        allowed_missing=sorted(allowed_missing) if final else [],
    )


def check_final(loaded: LoadedEdition, allow_missing: Sequence[str]) -> None:
    """Refuse a final unless every expected member is valid or named in `allow_missing`."""
    expected = {s.code for s in loaded.status}
    unknown = sorted(set(allow_missing) - expected)
    if unknown:
        raise FinalRefused(
            f"--allow-missing names {', '.join(unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not expected in {loaded.year}"
        )
    missing = [s for s in loaded.status if not s.valid and s.code not in allow_missing]
    if missing:
        listed = "; ".join(f"{s.code} ({s.label})" for s in missing)
        raise FinalRefused(
            f"a final of {loaded.year} needs every expected member to be valid: {listed}. "
            f"Fix them, or publish without them with "
            f"{' '.join('--allow-missing ' + s.code for s in missing)}"
        )


def check_comments(reviews: Reviews, year: int, allow_open: bool) -> int:
    """Refuse a final while review comments are unresolved, unless `allow_open`
    (--allow-open-comments); return how many unresolved comments it is published with.

    Unresolved: a comment whose status is still `open`, and a comment that could not be
    read (its review file has an error there), whose status nobody can know."""
    open_refs = [r.ref for r in reviews.rows if r.status == "open"]
    unresolved = len(open_refs) + reviews.left_out
    if unresolved == 0 or allow_open:
        return unresolved
    parts = []
    if open_refs:
        shown = ", ".join(open_refs[:5]) + (
            f" and {len(open_refs) - 5} more" if len(open_refs) > 5 else ""
        )
        parts.append(f"{len(open_refs)} still open ({shown})")
    if reviews.left_out:
        parts.append(f"{reviews.left_out} that cannot be read (errors in their review file)")
    raise FinalRefused(
        f"a final of {year} needs every review comment resolved: {'; '.join(parts)}. See "
        f"wgreport comments --year {year} --status open; resolve them (a status and a "
        "response in the review files), or publish with --allow-open-comments (recorded "
        "in the manifest)"
    )


def plan_build(
    outputs_dir: Path, loaded: LoadedEdition, final: bool, allow_missing: Sequence[str]
) -> tuple[int | None, BuildInfo]:
    """The draft number (None for a final) and the build info; refuses an incomplete final.

    Call while holding the year's lock: a draft number is reserved under it.
    """
    from .publish import next_draft_number

    if final:
        check_final(loaded, allow_missing)
        return None, make_build_info(None, final=True, allowed_missing=allow_missing)
    number = next_draft_number(outputs_dir, loaded.year)
    return number, make_build_info(number)


def leave_out_unrendered(
    loaded: LoadedEdition, timed_out: PartsTimedOut, build: BuildInfo
) -> LoadedEdition:
    """The edition without the members whose chapters overran the render time limit: they
    are reported as not rendered, as an invalid member is reported as not valid.

    For a final (`build.draft` None), that is refused (`FinalRefused`) unless
    `--allow-missing` named them, as for a member whose contribution is not valid."""
    codes = {
        m.code
        for m in loaded.working_group.members
        if f"member-{m.code.lower()}" in timed_out.sections
    }
    if not codes:
        raise timed_out
    reason = f"its chapter took longer than {timed_out.limit:g} s to lay out"
    left = dataclasses.replace(
        loaded,
        contributions={c: v for c, v in loaded.contributions.items() if c not in codes},
        status=[
            dataclasses.replace(s, valid=False, not_rendered=reason) if s.code in codes else s
            for s in loaded.status
        ],
    )
    if build.draft is None:
        check_final(left, build.allowed_missing)
    return left


def build_parameters(
    settings: Settings,
    year: int,
    final: bool,
    allow_missing: Sequence[str],
    supersede: bool,
    allow_open_comments: bool = False,
) -> dict[str, Any]:
    """What builds.log records as a build's parameters."""
    return {
        "year": year,
        "final": final,
        "allow_missing": sorted(allow_missing),
        "supersede": supersede,
        **({"allow_open_comments": True} if allow_open_comments else {}),
        "inputs_dir": str(settings.inputs_dir),
        "outputs_dir": str(settings.outputs_dir),
        **({"dask_address": settings.dask_address} if settings.dask_address else {}),
    }
