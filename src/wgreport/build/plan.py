"""What a build is before it runs: its draft number or the final, its build info, the
final's policy (the preflight of build/preflight.py: every problem listed at once, each
class let through only by its own override; a member whose chapter overran is left out
unless named with --allow-missing), and the parameters builds.log records."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..content.reportmodel import BuildInfo
from ..errors import FinalRefused, PartsTimedOut
from ..i18n import SOURCE_LANGUAGE, check_language
from ..inputs.comments import Reviews
from ..inputs.edition import LoadedEdition
from ..runtime.clock import build_time
from ..runtime.settings import Settings
from .preflight import (
    Material,
    Overrides,
    Preflight,
    PrintedFacts,
    find_members,
    refuse_unless_clean,
    run_checks,
)
from .publish import draft_name


def make_build_info(
    number: int | None,
    final: bool = False,
    allowed_missing: Sequence[str] = (),
    overrides: Sequence[str] = (),
) -> BuildInfo:
    """Draft label, pinned or current build time, and the tool version; for a final, the
    members it is published without and what the overrides it used mean (`overrides`:
    plain sentences, printed on the imprint)."""
    when = build_time().isoformat().replace("+00:00", "Z")
    label = None if final or number is None else f"Draft {draft_name(number)}"
    return BuildInfo(
        draft=label,
        built_at=when,
        version=__version__,
        allowed_missing=sorted(allowed_missing) if final else [],
        overrides=list(overrides) if final else [],
    )


def check_final(loaded: LoadedEdition, allow_missing: Sequence[str]) -> None:
    """Refuse a final unless every expected member is valid or named in `allow_missing`
    (after the preflight: for members left out at render time)."""
    material = Material(loaded, Reviews(), build_time().date())
    missing = [p for p in find_members(material) if p.subject not in allow_missing]
    if missing:
        listed = "; ".join(p.message for p in missing)
        raise FinalRefused(
            f"a final of {loaded.year} needs every expected member to be valid: {listed}. "
            f"Fix them, or publish without them with "
            f"{' '.join(p.flag for p in missing)}"
        )


def request_overrides(
    allow: Sequence[str], allow_missing: Sequence[str], allow_open_comments: bool
) -> Overrides:
    """The overrides of a final's request: whole checks by name, members by code."""
    names = set(allow) | ({"open-comments"} if allow_open_comments else set())
    return Overrides(allow=frozenset(names), missing=tuple(allow_missing))


def plan_final(
    loaded: LoadedEdition,
    reviews: Reviews,
    overrides: Overrides,
    printed_facts: PrintedFacts | None = None,
) -> tuple[BuildInfo, Preflight]:
    """The final's build info, after its preflight: refused (FinalRefused, with every
    problem) unless each problem is fixed or overridden by its own flag; its warnings
    (`printed_facts`: a cited fact that prints "n/a") do not refuse it."""
    result = run_checks(loaded, reviews, overrides, printed_facts=printed_facts)
    refuse_unless_clean(result)
    info = make_build_info(
        None,
        final=True,
        allowed_missing=overrides.missing,
        overrides=result.statements(),
    )
    return info, result


def plan_build(
    outputs_dir: Path, loaded: LoadedEdition, final: bool, allow_missing: Sequence[str]
) -> tuple[int | None, BuildInfo]:
    """The draft number (None for a final, whose build info comes from `plan_final`) and
    the build info of a draft.

    Call while holding the year's lock: a draft number is reserved under it.
    """
    from .publish import next_draft_number

    if final:
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
    allow: Sequence[str] = (),
) -> dict[str, Any]:
    """What builds.log records as a build's parameters (`allow`: the checks a final's
    preflight was told to let through)."""
    return {
        "year": year,
        "final": final,
        "allow_missing": sorted(allow_missing),
        "supersede": supersede,
        **({"allow_open_comments": True} if allow_open_comments else {}),
        **({"allow": sorted(allow)} if allow else {}),
        "inputs_dir": str(settings.inputs_dir),
        "outputs_dir": str(settings.outputs_dir),
        **({"dask_address": settings.dask_address} if settings.dask_address else {}),
    }


def report_languages(requested: Sequence[str], edition: Sequence[str] = ()) -> tuple[str, ...]:
    """The languages a build writes the report in: English, then each other language the
    edition names (`languages: [en, ko]`) or the build asks for (`wgreport build --lang
    ko`), once each, in that order; a language without a catalogue is a usage error naming
    those there are."""
    found: list[str] = [SOURCE_LANGUAGE]
    for lang in [*edition, *requested]:
        if check_language(lang) not in found:
            found.append(lang)
    return tuple(found)
