"""`wgreport new`: a commented contribution skeleton with what is already known filled in.

Every value a member must write is the placeholder `TODO …`, which fails validation with
the `not-filled-in` code until it is replaced.
"""

from __future__ import annotations

from .models import PLACEHOLDER, PLACEHOLDER_ID, WorkingGroup

SCHEMA_LINE = "# yaml-language-server: $schema=../../../schemas/contribution-v1.schema.json"


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    if low is not None:
        return f"at least {low:g}"
    if high is not None:
        return f"at most {high:g}"
    return "no bounds"


def make_skeleton(wg: WorkingGroup, member: str, year: int) -> str:
    """The text of a new contribution file for `member` and `year`."""
    found = wg.member(member)
    if found is None:
        raise ValueError(f"{member} is not a member of {wg.name}")
    todo = PLACEHOLDER
    themes = ", ".join(t.id for t in wg.themes)
    lines = [
        SCHEMA_LINE,
        f"# Contribution of {found.name} to the {year} edition of the {wg.name}.",
        f"# Replace every '{todo}'; check with: wgreport validate "
        f"inputs/{year}/contributions/{member}.yaml",
        "schema: wgreport/contribution/v1",
        f"member: {member}",
        f"year: {year}",
        f'submitted: "{todo} (the date you consider this final, YYYY-MM-DD)"',
        "contact:",
        f'  name: "{todo} (your name)"',
        f'  email: "{todo} (your work e-mail)"',
        f"  organisation: {found.ministry}",
        "summary: |  # Markdown, 30 to 250 words",
        f"  {todo} what changed in digital governance this year, in a few sentences.",
        "governance:",
        f'  lead_institution: "{todo}"',
        "  coordination_model: centralised  # centralised | decentralised | hybrid",
        "  strategy:",
        f'    title: "{todo}"',
        f'    adopted: "{todo} (YYYY, YYYY-MM or YYYY-MM-DD)"',
        "    # url: https://…        optional",
        "    # horizon: 2030         optional end year",
        "  legal_instruments: []     # up to 20 entries of {title: …, year: YYYY}",
        "initiatives:                # 1 to 12",
        f"  - id: {PLACEHOLDER_ID}   # lowercase letters, digits and dashes",
        f'    title: "{todo}"',
        f'    theme: "{todo} (one of: {themes})"',
        "    status: in-progress     # planned | in-progress | completed | discontinued",
        f'    started: "{todo} (YYYY-MM)"',
        "    # ended: YYYY-MM        only for completed or discontinued",
        "    description: |          # Markdown, at most 400 words",
        f"      {todo} what the initiative does, for whom, and what it achieved.",
        "    outcomes: []            # up to 8 statements of at most 200 characters",
        "    links: []               # {title: …, url: https://…}",
        "indicators:",
    ]
    for indicator in wg.indicators:
        need = "required" if indicator.required else "optional"
        lines += [
            f"  # {indicator.title}: unit {indicator.unit}, "
            f"{_bounds(indicator.min, indicator.max)}, {need}. Source: {indicator.source}",
            f"  - id: {indicator.id}",
            f'    value: "{todo} (a number, or null with reason_missing)"',
            f"    data_year: {year}",
            f'    source: "{todo}"',
        ]
    lines += [
        "# Optional: a case study (Markdown body, at most 1,500 words). To add one, remove the",
        "# '# ' in front of the next four lines and replace the text.",
        "# case_study:",
        f"#   title: {todo} a short title",
        "#   body: |",
        f"#     {todo} what was done, for whom, and what changed.",
    ]
    return "\n".join(lines) + "\n"
