"""`wgreport demo-data`: a synthetic, valid input tree of any size, for scale tests.

`write_demo_inputs(out, members, year, seed)` writes a working group of invented members
(no real people or countries), the demo's themes and indicator catalogue, two editions
(`year - 1` and `year`, each with edition.yaml and a foreword) and, for every member in
both editions, a contribution of realistic size: 3 to 8 initiatives across the themes with
mixed statuses and dates, a case study, every catalogue indicator (some null with a
reason), governance, a strategy, legal instruments and links. A few members add a small
PNG or SVG image, and a few give their indicators as a CSV file instead of in the YAML.

The output depends only on the arguments and the catalogue: every choice comes from
`random.Random` seeded from `seed`, nothing reads the clock, and files are written with
fixed line endings, so the same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import struct
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DemoDataError
from ..layout import FOREWORD, INDICATORS_SUFFIX, Inputs
from .models import Indicator, Theme, WorkingGroup
from .yamlsource import resolve_plain_scalar

MAX_MEMBERS = 26 * 26  # two capital letters
GROUP_NAME = "Synthetic Digital Governance Working Group"
SCHEMA_LINE = "# yaml-language-server: $schema=../../../schemas/contribution-v1.schema.json"


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo_inputs` wrote."""

    out: Path
    members: int
    years: tuple[int, int]
    files: int
    bytes: int
    initiatives: int
    images: int
    csv_files: int
    paths: tuple[Path, ...] = field(repr=False, default=())


# --- writing YAML ------------------------------------------------------------------------


class Raw(str):
    """A scalar written exactly as given (numbers formatted to the catalogue's decimals)."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Raw | int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same number
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    plain = (
        re.fullmatch(r"[A-Za-z0-9(][^\n]*", text) is not None
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
        and resolve_plain_scalar(text) == text
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _yaml_lines(value: Any, indent: int) -> list[str]:
    """Block-style YAML for nested dicts and lists; Markdown (multi-line) as literal blocks."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and "\n" in item:
                chomp = "" if item.endswith("\n") else "-"
                lines.append(f"{pad}{key}: |{chomp}")
                lines += [f"{pad}  {line}" if line else "" for line in item.splitlines()]
            elif isinstance(item, dict):
                lines.append(f"{pad}{key}:")
                lines += _yaml_lines(item, indent + 2)
            elif isinstance(item, list):
                if not item:
                    lines.append(f"{pad}{key}: []")
                else:
                    lines.append(f"{pad}{key}:")
                    lines += _yaml_lines(item, indent + 2)
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                inner = _yaml_lines(item, indent + 2)
                inner[0] = f"{pad}- {inner[0][indent + 2 :]}"
                lines += inner
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        raise TypeError(f"not a mapping or list: {value!r}")
    return lines


def to_yaml(data: dict[str, Any], header: tuple[str, ...] = ()) -> str:
    """The YAML text of `data`, with comment lines first."""
    return "\n".join([*header, *_yaml_lines(data, 0)]) + "\n"


# --- images ------------------------------------------------------------------------------


def png_image(rng: random.Random, width: int = 160, height: int = 96) -> bytes:
    """A small valid PNG (RGB, no metadata): a few coloured bars on a light background."""
    background = (246, 247, 249)
    bars = [
        (rng.randrange(40, 200), rng.randrange(60, 200), rng.randrange(90, 230))
        for _ in range(rng.randrange(3, 7))
    ]
    heights = [rng.randrange(height // 5, height - 8) for _ in bars]
    slot = width // (len(bars) + 1)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            index = x // slot
            pixel = background
            if index < len(bars) and x % slot > slot // 5 and height - y <= heights[index]:
                pixel = bars[index]
            rows += bytes(pixel)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def svg_image(rng: random.Random, steps: list[str], title: str) -> str:
    """A plain, safe SVG: boxes joined by arrows (no scripts, links or external styles)."""
    width, box_w, gap = 640, 150, 40
    fills = ["#e6f4ea", "#e8f0fb", "#fff4d6", "#fbe9e7"]
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="160" '
        f'viewBox="0 0 {width} 160" role="img">',
        f"  <title>{_xml(title)}</title>",
        f"  <desc>{_xml(' → '.join(steps))}</desc>",
        '  <g font-family="sans-serif" font-size="13" text-anchor="middle" fill="#1a1a1a">',
    ]
    for index, step in enumerate(steps):
        x = 10 + index * (box_w + gap)
        fill = fills[(index + rng.randrange(len(fills))) % len(fills)]
        parts.append(
            f'    <rect x="{x}" y="50" width="{box_w}" height="60" rx="8" fill="{fill}" '
            'stroke="#1f4e8c" stroke-width="2"/>'
        )
        parts.append(f'    <text x="{x + box_w // 2}" y="85">{_xml(step)}</text>')
        if index < len(steps) - 1:
            x1, x2 = x + box_w, x + box_w + gap - 6
            parts.append(
                f'    <line x1="{x1}" y1="80" x2="{x2}" y2="80" stroke="#1f4e8c" stroke-width="2"/>'
            )
            parts.append(
                f'    <polygon points="{x2 + 6},80 {x2 - 2},75 {x2 - 2},85" fill="#1f4e8c"/>'
            )
    parts += ["  </g>", "</svg>"]
    return "\n".join(parts) + "\n"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- invented names ----------------------------------------------------------------------

_ONSETS = [
    "Al", "Bel", "Cor", "Dar", "El", "Fen", "Gal", "Hal", "Ist", "Jor", "Kel", "Lor", "Mar",
    "Nor", "Ost", "Pel", "Quen", "Ros", "Sol", "Tav", "Ul", "Val", "Wes", "Xan", "Yor", "Zel",
    "Ar", "Bra", "Cal", "Dun", "Er", "Gor", "Ith", "Lun", "Mir", "Ner", "Or", "Sar", "Tor",
]  # fmt: skip
_MIDDLES = ["", "a", "e", "i", "o", "an", "ar", "en", "or", "ev", "ad", "il", "um"]
_ENDINGS = ["ia", "ova", "land", "ora", "esia", "ania", "any", "avia", "ium", "eth", "ira"]
_FORMS = [
    ("{}", False),
    ("{}", False),
    ("Republic of {}", True),
    ("Kingdom of {}", True),
    ("Federal Republic of {}", True),
    ("Principality of {}", True),
    ("Commonwealth of {}", True),
    ("United Provinces of {}", True),
]
_MINISTRIES = [
    "Ministry of Digital Affairs",
    "Agency for Digital Government",
    "Department of Public Service Innovation",
    "Office of the Government Chief Digital Officer",
    "Ministry of the Interior and Digital Transformation",
    "National Digital Agency",
    "Ministry of Public Administration",
    "State Chancellery, Digital Government Unit",
]
_GIVEN = [
    "Amira", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kaito", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Rafael", "Sofia", "Tomás", "Ursula",
    "Viktor", "Wen", "Yara", "Zoë", "Aoife", "Björn", "Camille", "Dagny", "Émile", "Søren",
]  # fmt: skip
_FAMILY = [
    "Andersen", "Barros", "Castell", "Dubois", "Eriksen", "Fontaine", "García", "Halvorsen",
    "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov",
    "Quint", "Rossi", "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Young", "Zieliński",
]  # fmt: skip


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _lower(title: str) -> str:
    """A title inside a sentence: first letter in lower case, unless it starts an acronym."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")[:48].strip("-")


@dataclass(frozen=True)
class _Member:
    code: str
    name: str
    short_name: str | None
    stem: str
    ministry: str

    @property
    def label(self) -> str:
        return self.short_name or self.name


def invent_members(rng: random.Random, count: int) -> list[_Member]:
    """`count` invented members with unique names and two-letter codes."""
    members: list[_Member] = []
    stems: set[str] = set()
    codes: set[str] = set()
    while len(members) < count:
        onset, middle, ending = rng.choice(_ONSETS), rng.choice(_MIDDLES), rng.choice(_ENDINGS)
        if middle[-1:] in "aeiou" and ending[0] in "aeiou":
            middle = middle[:-1]  # no "Noraavia"
        stem = onset + middle + ending
        stem = stem[0] + stem[1:].lower()
        if stem in stems or len(stem) > 14:
            continue
        stems.add(stem)
        form, long_form = rng.choice(_FORMS)
        letters = stem.upper()
        candidates = [letters[0] + c for c in letters[1:] if c.isalpha()]
        code = next((c for c in candidates if c not in codes), None)
        if code is None:
            free = [
                a + b
                for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                if a + b not in codes
            ]
            code = rng.choice(free)
        codes.add(code)
        members.append(
            _Member(
                code=code,
                name=form.format(stem),
                short_name=stem if long_form else None,
                stem=stem,
                ministry=rng.choice(_MINISTRIES),
            )
        )
    return members


# --- text banks --------------------------------------------------------------------------

_FILL = {
    "domain": [
        "health services", "tax administration", "local government", "transport",
        "education", "social security", "justice", "environmental permits",
    ],
    "audience": [
        "older residents", "small businesses", "students", "new residents",
        "people with disabilities", "rural communities", "jobseekers", "carers",
    ],
    "event": [
        "the birth of a child", "starting school", "retirement", "moving house",
        "starting a business", "bereavement",
    ],
    "benefit": ["benefit", "tax credit", "housing support", "child allowance"],
    "document": ["driving licences", "passports", "residence permits", "business licences"],
}  # fmt: skip

_TITLES = {
    "agile-governance": [
        "Regulatory sandbox for {domain}",
        "Digital-readiness check for new legislation",
        "Agile procurement framework",
        "Policy lab for {domain}",
        "Rolling review of digital regulation",
        "Multidisciplinary delivery teams",
    ],
    "active-governance": [
        "Proactive {benefit} notifications",
        "Life-event service for {event}",
        "One-stop portal for {audience}",
        "Automatic renewal of {document}",
        "Pre-filled forms for {domain}",
    ],
    "digital-identity": [
        "National mobile identity wallet",
        "Cross-border recognition of electronic signatures",
        "Identity verification for {audience}",
        "Register of qualified trust services",
        "Digital identity for {audience}",
    ],
    "data-governance": [
        "Once-only data exchange layer",
        "Base register quality programme",
        "Open data portal renewal",
        "Data stewardship network",
        "Interoperability framework for {domain}",
    ],
    "ai-in-government": [
        "Public register of algorithms",
        "Guidelines for generative AI in {domain}",
        "AI impact assessment for public bodies",
        "Virtual assistant for {audience}",
        "Machine translation of public services",
    ],
    "digital-inclusion": [
        "Digital skills centres for {audience}",
        "Accessibility monitoring of public websites",
        "Assisted digital service points",
        "Plain-language service standard",
        "Offline alternatives for {audience}",
    ],
    "cyber-resilience": [
        "Security operations centre for {domain}",
        "Continuity plan for critical registers",
        "National cyber exercise programme",
        "Zero-trust architecture for ministries",
        "Data embassy for critical registers",
    ],
}
_GENERIC_TITLES = ["Programme on {theme}", "Pilot on {theme} in {domain}", "{Theme} roadmap"]

_DESCRIPTION = [
    "The initiative serves {audience} and is run by the {ministry} with the agencies "
    "responsible for {domain}.",
    "It replaces several separate procedures with one shared service that agencies can "
    "reuse instead of building their own.",
    "A small multidisciplinary team works in short cycles and tests each release with "
    "the people who will use it.",
    "Data that public bodies already hold is reused with the person's consent, so that "
    "nobody is asked for the same information twice.",
    "The design follows the national service standard and is published as open source "
    "for other public bodies.",
    "An independent evaluation is planned after the first full year of operation.",
    "Progress is reported every quarter to the steering group, which can stop or "
    "redirect the work at each review.",
    "Staff in front-line offices were trained to help people who prefer not to use the "
    "online channel.",
]
_BULLETS = [
    "a shared component that other agencies can reuse",
    "clear rules on which data may be used and for what purpose",
    "a feedback channel that reaches the delivery team directly",
    "an assisted channel for people who cannot use the online service",
    "published performance figures, updated every month",
    "a legal review before each new use of personal data",
]
_OUTCOMES = [
    "{n:,} people served in {year}",
    "Pilot extended to {k} regions",
    "Average processing time down from {a} to {b} days",
    "User satisfaction of {p}% in the latest survey",
    "Evaluation report published",
    "Reused by {k} other public bodies",
    "Guidance adopted by the steering group",
]
_LAWS = [
    "Electronic Government Act",
    "Data Protection Act",
    "Open Data Act",
    "Electronic Signatures Act",
    "Cybersecurity Act",
    "Accessibility of Public Websites Act",
    "Public Information Act",
    "Digital Identity Act",
    "Interoperability Act",
    "Public Administration Procedures Act",
    "Archives and Records Act",
]
_REASONS = [
    "Not covered by the latest edition of the survey",
    "The national survey was postponed to next year",
    "Figures are being revised by the statistics office",
    "Not covered by this index",
]
_EDITION_TITLES = [
    "Building Trust in Digital Government",
    "Agile and Active Digital Governance",
    "Data for Better Public Services",
    "Inclusive Digital Government",
    "Resilient Public Services",
    "Government as a Platform",
]
_CASE_PARAGRAPHS = [
    "Before the change, {audience} had to deal with several offices, each with its own "
    "forms and rules. Many gave up before they reached the end, and those who most needed "
    "support were often the least able to find their way through the system.",
    "The team started by mapping the journey with the people who live it. Interviews and "
    "visits to front-line offices showed that most delays came from agencies asking for "
    "information that another agency already held.",
    "Two design choices made the difference. First, the responsible agency still takes "
    "the legal decision, so the legal framework did not have to change. Second, the rules "
    "were written once in a shared form and reviewed by each agency's lawyers.",
    "Not everything went to plan. The first release relied on a data source that was "
    "updated only once a month, and some people received outdated information. The team "
    "added a daily update and a clear way to report errors.",
    "The main difficulty was not technology but the variety of local practice. A short "
    "guide now helps local offices describe their procedures in the shared format, and a "
    "community of practice meets every month.",
    "Next year the service will be offered in easy-read form and in the main minority "
    "languages, and take-up will be measured among the people who receive it.",
]


def _fill(template: str, rng: random.Random, **known: Any) -> str:
    values = {key: rng.choice(options) for key, options in _FILL.items()}
    values.update(known)
    return template.format(**values)


# --- one member's contributions ----------------------------------------------------------


@dataclass
class _Initiative:
    id: str
    title: str
    theme: str
    status: str
    started: str
    ended: str | None
    paragraphs: list[str]
    bullets: list[str]
    outcomes: list[str]
    links: list[dict[str, str]]
    image: dict[str, str] | None = None


def _month(year: int, rng: random.Random) -> str:
    return f"{year}-{rng.randrange(1, 13):02d}"


def _new_initiative(
    rng: random.Random, member: _Member, themes: list[Theme], year: int, taken: set[str]
) -> _Initiative:
    theme = rng.choice(themes)
    templates = _TITLES.get(theme.id) or _GENERIC_TITLES
    title = _fill(
        rng.choice(templates), rng, theme=theme.title.lower(), Theme=theme.title.capitalize()
    )
    base = _slug(title) or "initiative"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    status = rng.choices(
        ["planned", "in-progress", "completed", "discontinued"], weights=[2, 6, 4, 1]
    )[0]
    if status == "planned":
        started = _month(year + rng.randrange(0, 2), rng)
    else:
        started = _month(year - rng.randrange(0, 4), rng)
    ended = None
    if status in {"completed", "discontinued"}:
        start_year = int(started[:4])
        ended_year = rng.randrange(start_year, year + 1)
        low = int(started[5:]) if ended_year == start_year else 1
        ended = f"{ended_year}-{rng.randrange(low, 13):02d}"
    # The first sentence says who the initiative serves; the others come in a random order.
    sentences = [_DESCRIPTION[0], *rng.sample(_DESCRIPTION[1:], rng.randrange(2, 5))]
    text = [_fill(s, rng, ministry=member.ministry) for s in sentences]
    cut = rng.randrange(1, len(text))
    paragraphs = [" ".join(text[:cut]), " ".join(text[cut:])]
    bullets = rng.sample(_BULLETS, rng.randrange(2, 5)) if rng.random() < 0.4 else []
    outcomes = [
        _fill(
            o,
            rng,
            n=rng.randrange(1_000, 2_000_000),
            year=year,
            k=rng.randrange(2, 15),
            a=rng.randrange(20, 60),
            b=rng.randrange(2, 19),
            p=rng.randrange(62, 96),
        )
        for o in rng.sample(_OUTCOMES, rng.randrange(0, 4))
    ]
    host = f"https://www.example.org/{member.code.lower()}"
    links = [{"title": "Programme page", "url": f"{host}/{slug}"}] if rng.random() < 0.6 else []
    if rng.random() < 0.2:
        links.append({"title": "Evaluation report", "url": f"{host}/{slug}/evaluation"})
    return _Initiative(
        slug, title, theme.id, status, started, ended, paragraphs, bullets, outcomes, links
    )


def _advance(item: _Initiative, rng: random.Random, year: int) -> _Initiative | None:
    """The same initiative a year later: planned work starts, running work may finish."""
    if item.status in {"completed", "discontinued"}:
        return None
    if item.status == "planned":
        status, started, ended = "in-progress", _month(year, rng), None
    else:
        status = rng.choices(["in-progress", "completed", "discontinued"], weights=[5, 4, 1])[0]
        started, ended = item.started, None
        if status != "in-progress":
            low = int(started[5:]) if int(started[:4]) == year else 1
            ended = f"{year}-{rng.randrange(low, 13):02d}"
    outcomes = item.outcomes[:2]
    if status == "completed":
        outcomes = [*outcomes, "Moved into routine operation"]
    return _Initiative(
        item.id,
        item.title,
        item.theme,
        status,
        started,
        ended,
        item.paragraphs,
        item.bullets,
        outcomes,
        item.links,
    )


def _description(item: _Initiative, member: _Member) -> str:
    parts = [item.paragraphs[0]]
    if item.bullets:
        items = [f"- {b};" for b in item.bullets]
        items[-1] = items[-1][:-1] + "."
        parts.append("The work delivers:\n\n" + "\n".join(items))
    second = item.paragraphs[1]
    if item.links:
        second += f" More on the [programme page]({item.links[0]['url']})."
    parts.append(second)
    return "\n\n".join(_wrap(p) for p in parts) + "\n"


def _wrap(paragraph: str, width: int = 88) -> str:
    """Wrap a prose paragraph (lists are kept as they are)."""
    if paragraph.lstrip().startswith(("-", "|", "1.")) or "\n" in paragraph:
        return paragraph
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


@dataclass
class _Profile:
    """What stays the same for a member from one edition to the next."""

    member: _Member
    strength: float
    coordination: str
    lead: str
    strategy: dict[str, Any]
    laws: list[dict[str, Any]]
    contact: dict[str, str]
    indicator_fractions: dict[str, float]
    csv_indicators: bool
    images: str  # "", "png", "svg" or "both"


def _profile(
    rng: random.Random, member: _Member, wg_indicators: list[Indicator], year: int
) -> _Profile:
    strength = rng.betavariate(2.4, 1.6)
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    email = f"{_slug(given)}.{_slug(family)}@example.org".replace("-", "")
    adopted_year = rng.randrange(year - 7, year)
    adopted: Any = rng.choice(
        [
            str(adopted_year),
            f"{adopted_year}-{rng.randrange(1, 13):02d}",
            dt.date(adopted_year, rng.randrange(1, 13), rng.randrange(1, 29)),
        ]
    )
    strategy: dict[str, Any] = {
        "title": f"{member.label} Digital Government Strategy",
        "adopted": Raw(adopted) if isinstance(adopted, str) else adopted,
        "url": f"https://www.example.org/{member.code.lower()}/strategy",
    }
    if rng.random() < 0.8:
        horizon = adopted_year + rng.randrange(4, 11)
        strategy["horizon"] = horizon if horizon > year else year + rng.randrange(1, 6)
    laws = sorted(
        (
            {"title": t, "year": rng.randrange(1995, year)}
            for t in rng.sample(_LAWS, rng.randrange(1, 7))
        ),
        key=lambda law: (law["year"], law["title"]),
    )
    fractions = {}
    for indicator in wg_indicators:
        fraction = min(0.995, max(0.01, 0.2 + 0.75 * strength + rng.gauss(0, 0.06)))
        fractions[indicator.id] = fraction
    return _Profile(
        member=member,
        strength=strength,
        coordination=rng.choice(["centralised", "decentralised", "hybrid"]),
        lead=rng.choice([member.ministry, f"Digital Government Council of {member.label}"]),
        strategy=strategy,
        laws=laws,
        contact={
            "name": f"{given} {family}",
            "email": email,
            "organisation": member.ministry,
        },
        indicator_fractions=fractions,
        csv_indicators=rng.random() < 0.12,
        images=rng.choices(["", "png", "svg", "both"], weights=[82, 6, 6, 6])[0],
    )


_UNIT_RANGES = {
    "index": (0.0, 1.0),
    "percent": (0.0, 100.0),
    "count": (1.0, 1000.0),
    "currency": (100.0, 100_000.0),
    "years": (1.0, 50.0),
    "rank": (1.0, 193.0),
    "score": (0.0, 100.0),
}


def _indicator_rows(
    rng: random.Random, profile: _Profile, indicators: list[Indicator], year: int, drift: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for indicator in indicators:
        if not indicator.required and rng.random() < 0.2:
            rows.append({"id": indicator.id, "value": None, "reason_missing": rng.choice(_REASONS)})
            continue
        low, high = _UNIT_RANGES[indicator.unit]
        low = indicator.min if indicator.min is not None else low
        high = indicator.max if indicator.max is not None else high
        fraction = profile.indicator_fractions[indicator.id] + drift + rng.gauss(0, 0.01)
        fraction = min(1.0, max(0.0, fraction))
        if not indicator.higher_is_better:
            fraction = 1.0 - fraction
        value = round(low + (high - low) * fraction, indicator.decimals)
        value = min(high, max(low, value))
        shown = Raw(f"{value:.{indicator.decimals}f}")
        data_year = year - rng.choice([0, 0, 1])
        row: dict[str, Any] = {
            "id": indicator.id,
            "value": shown,
            "data_year": data_year,
            "source": f"{indicator.source} {data_year} (synthetic value)",
        }
        if rng.random() < 0.08:
            row["note"] = "Provisional figure"
        rows.append(row)
    return rows


def _indicator_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = ["id", "value", "data_year", "source", "note", "reason_missing"]
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row[c]) for c in columns])
    return buffer.getvalue()


def _summary(rng: random.Random, member: _Member, items: list[_Initiative], year: int) -> str:
    done = [i for i in items if i.status == "completed"]
    running = [i for i in items if i.status == "in-progress"]
    planned = [i for i in items if i.status == "planned"]
    sentences = [
        f"In {year} {member.label} continued to modernise its public administration, "
        f"with {len(items)} initiatives reported to the working group.",
    ]
    if done:
        sentences.append(
            f"The work on the {_lower(done[0].title)} was completed "
            "and has moved into routine operation."
        )
    if running:
        sentences.append(
            f"{len(running)} initiative{'s are' if len(running) > 1 else ' is'} in progress, "
            f"among them the {_lower(running[0].title)}."
        )
    if planned:
        sentences.append(
            f"Preparation started on the {_lower(planned[0].title)}, "
            "which is planned for next year."
        )
    sentences.append(
        rng.choice(
            [
                "The case study describes what the team learnt along the way.",
                "This year's case study shows how the work changed things for the people "
                "who use the services.",
                "Our case study tells the story of one of these projects, including what "
                "did not go to plan.",
            ]
        )
    )
    sentences.append(
        "All figures and stories in this contribution are synthetic, written for testing."
    )
    return _wrap(" ".join(sentences)) + "\n"


def _case_study(
    rng: random.Random, member: _Member, item: _Initiative, year: int
) -> dict[str, Any]:
    # The story keeps its order: the problem first, next steps last.
    chosen = sorted(rng.sample(range(1, len(_CASE_PARAGRAPHS)), rng.randrange(3, 6)))
    paragraphs = [_fill(_CASE_PARAGRAPHS[i], rng) for i in (0, *chosen)]
    lessons = rng.sample(
        [
            "Start with the people who use the service, not with the organisation chart.",
            "Keep the legal decision where it was; change the journey around it.",
            "Publish the rules in a form that both lawyers and software can read.",
            "Measure take-up, not only the number of transactions.",
            "Plan an assisted channel from the first day.",
            "Share components early, even when they are not finished.",
        ],
        rng.randrange(3, 5),
    )
    url = f"https://www.example.org/{member.code.lower()}/{item.id}/case-study"
    body = [
        _wrap(paragraphs[0]),
        _wrap(paragraphs[1]),
        "What the team learnt:\n\n" + "\n".join(f"{n}. {t}" for n, t in enumerate(lessons, 1)),
        *(_wrap(p) for p in paragraphs[2:]),
    ]
    if rng.random() < 0.3:
        body.insert(
            3,
            "| Year | Milestone |\n|---|---|\n"
            f"| {year - 1} | Discovery and first prototype |\n"
            f"| {year} | Service in operation for the first groups of users |",
        )
    body.append(
        _wrap(f"The full story, with the evaluation data, is on the [case study page]({url}).")
    )
    return {
        "title": f"Lessons from the {_lower(item.title)}",
        "body": "\n\n".join(body) + "\n",
    }


def _initiative_entry(item: _Initiative, member: _Member) -> dict[str, Any]:
    """One initiative of a contribution, in the order of the spec's fields."""
    entry: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "theme": item.theme,
        "status": item.status,
        "started": Raw(item.started),
    }
    if item.ended:
        entry["ended"] = Raw(item.ended)
    entry["description"] = _description(item, member)
    if item.outcomes:
        entry["outcomes"] = item.outcomes
    if item.links:
        entry["links"] = item.links
    if item.image:
        entry["image"] = item.image
    return entry


def _contribution(
    rng: random.Random,
    profile: _Profile,
    wg: WorkingGroup,
    year: int,
    deadline: dt.date,
    items: list[_Initiative],
    edition_index: int,
) -> tuple[str, dict[str, bytes]]:
    """The contribution's YAML text and its other files (images, CSV), relative to
    contributions/."""
    member = profile.member
    extra: dict[str, bytes] = {}
    opened = dt.date(deadline.year, 1, 10)
    submitted = opened + dt.timedelta(days=rng.randrange(0, (deadline - opened).days + 1))
    laws = list(profile.laws)
    if edition_index == 1 and rng.random() < 0.25 and len(laws) < 20:
        laws.append({"title": "Digital Services Act (national)", "year": year})
    initiatives: list[dict[str, Any]] = []
    case_item = rng.choice(items)
    case = _case_study(rng, member, case_item, year)
    if profile.images in {"png", "both"}:
        target = rng.choice(items)
        name = f"{member.code}/{target.id}.png"
        extra[name] = png_image(rng)
        target.image = {
            "file": name,
            "alt": f"Bar chart of the yearly progress of the {_lower(target.title)}.",
        }
    if profile.images in {"svg", "both"}:
        steps = rng.sample(["Apply once", "Check data", "Decide", "Notify", "Pay"], 3)
        name = f"{member.code}/case-{year}.svg"
        extra[name] = svg_image(rng, steps, case["title"]).encode("utf-8")
        case["image"] = {"file": name, "alt": "The service in three steps: " + ", ".join(steps)}
    initiatives += [_initiative_entry(item, member) for item in items]
    drift = 0.01 * edition_index
    rows = _indicator_rows(rng, profile, wg.indicators, year, drift)
    data: dict[str, Any] = {
        "schema": "wgreport/contribution/v1",
        "member": member.code,
        "year": year,
        "submitted": submitted,
        "contact": profile.contact,
        "summary": _summary(rng, member, items, year),
        "governance": {
            "lead_institution": profile.lead,
            "coordination_model": profile.coordination,
            "strategy": profile.strategy,
            "legal_instruments": laws,
        },
        "initiatives": initiatives,
    }
    if profile.csv_indicators:
        data["indicators_file"] = f"{member.code}{INDICATORS_SUFFIX}"
        extra[f"{member.code}{INDICATORS_SUFFIX}"] = _indicator_csv(rows).encode("utf-8")
    else:
        data["indicators"] = rows
    data["case_study"] = case
    header = (
        SCHEMA_LINE,
        f"# Synthetic contribution of {member.name} (wgreport demo-data); not real data.",
    )
    for item in items:
        item.image = None  # images belong to one edition
    return to_yaml(data, header), extra


def _editions(
    rng: random.Random, profile: _Profile, wg: WorkingGroup, years: tuple[int, int]
) -> Iterator[tuple[int, list[_Initiative]]]:
    """The member's initiatives in each edition: the earlier year's running work carries on."""
    taken: set[str] = set()
    first = [
        _new_initiative(rng, profile.member, list(wg.themes), years[0], taken)
        for _ in range(rng.randrange(3, 9))
    ]
    yield years[0], first
    carried = [a for a in (_advance(i, rng, years[1]) for i in first) if a is not None]
    target = rng.randrange(3, 9)
    second = carried[:target]
    while len(second) < target:
        second.append(_new_initiative(rng, profile.member, list(wg.themes), years[1], taken))
    yield years[1], second


# --- the tree ----------------------------------------------------------------------------


def demo_catalogue() -> WorkingGroup:
    """The demo's working group (for its themes and indicator catalogue)."""
    from ..runtime.settings import project_root
    from .validation import load_working_group

    path = Inputs(project_root() / "inputs").working_group
    if not path.is_file():
        raise DemoDataError(f"the demo catalogue {path} is missing")
    wg, _report = load_working_group(path)
    if wg is None:
        raise DemoDataError(f"the demo catalogue {path} is not valid")
    return wg


def _working_group_yaml(members: list[_Member], catalogue: WorkingGroup) -> str:
    data: dict[str, Any] = {
        "schema": "wgreport/working-group/v1",
        "name": GROUP_NAME,
        "forum": "Synthetic Forum (generated by wgreport demo-data)",
        "chair": members[0].code,
        "members": [
            {
                "code": m.code,
                "name": m.name,
                **({"short_name": m.short_name} if m.short_name else {}),
                "ministry": m.ministry,
            }
            for m in members
        ],
        "themes": [t.model_dump(exclude_none=True) for t in catalogue.themes],
        "indicators": [
            {
                key: (Raw(f"{value:g}") if isinstance(value, float) else value)
                for key, value in i.model_dump(exclude_none=True).items()
                if value != []  # optional lists left out, as the catalogue leaves them
            }
            for i in catalogue.indicators
        ],
    }
    header = (
        "# A synthetic working group written by `wgreport demo-data`: invented members, the",
        "# demo's themes and indicator catalogue. For scale and speed tests; not real data.",
    )
    return to_yaml(data, header)


def _edition_yaml(rng: random.Random, year: int, chair: _Member, previous: bool) -> str:
    data: dict[str, Any] = {
        "schema": "wgreport/edition/v1",
        "year": year,
        "title": rng.choice(_EDITION_TITLES),
        "subtitle": f"Annual Report {year} of the {GROUP_NAME}",
        "deadline": dt.date(year + 1, 2, 28),
        "editors": [{"name": "Secretariat of the Working Group", "organisation": chair.ministry}],
        "foreword": FOREWORD,
        "expected_members": "all",
    }
    if previous:
        data["previous_edition"] = year - 1
    return to_yaml(data)


def _foreword(year: int, members: int, seed: int) -> str:
    return (
        f"As Chair of the {GROUP_NAME}, I am pleased to present our annual report for "
        f"{year}.\n\n"
        f"This edition gathers the contributions of {members} members. They describe "
        "initiatives across every theme of the group, from agile governance to cyber "
        "resilience, with indicators from the group's catalogue.\n\n"
        "**Every member, name, figure and story in this report is synthetic.** It was "
        f"generated by `wgreport demo-data --seed {seed}` to test the pipeline at scale, and "
        "describes no real country, person or programme.\n\n"
        "*The Chair*\n"
    )


def _check_out(out: Path, force: bool, years: tuple[int, int]) -> None:
    from ..runtime.settings import project_root

    demo = (project_root() / "inputs").resolve()
    resolved = out.resolve()
    if resolved == demo or demo in resolved.parents or resolved in demo.parents:
        raise DemoDataError(f"{out} is or holds the project's inputs/; write elsewhere")
    if out.exists() and not out.is_dir():
        raise DemoDataError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise DemoDataError(f"{out} is not empty; use --force to replace the demo tree there")
        # Only what this function writes is replaced; anything else in the folder stays.
        Inputs(out).working_group.unlink(missing_ok=True)
        for year in years:
            if Inputs(out).edition(year).folder.is_dir():
                shutil.rmtree(Inputs(out).edition(year).folder)


def _generate(members: int, year: int, seed: int) -> tuple[dict[str, bytes], int]:
    """The files of the demo tree and the number of initiatives in them."""
    if not 1 <= members <= MAX_MEMBERS:
        raise DemoDataError(f"--members must be between 1 and {MAX_MEMBERS}, not {members}")
    if not 1991 <= year <= 2099:
        raise DemoDataError(f"--year must be between 1991 and 2099, not {year}")
    catalogue = demo_catalogue()
    rng = random.Random(seed)
    group = invent_members(rng, members)
    years = (year - 1, year)
    tree = Inputs(Path())  # the files' names, relative to the tree's folder
    files: dict[str, bytes] = {
        tree.working_group.as_posix(): _working_group_yaml(group, catalogue).encode("utf-8")
    }
    for index, edition_year in enumerate(years):
        edition = tree.edition(edition_year)
        files[edition.settings.as_posix()] = _edition_yaml(
            rng, edition_year, group[0], previous=index == 1
        ).encode("utf-8")
        files[edition.foreword.as_posix()] = _foreword(edition_year, members, seed).encode("utf-8")
    initiatives = 0
    for position, member in enumerate(group):
        member_rng = random.Random(f"{seed}:{member.code}")
        profile = _profile(member_rng, member, catalogue.indicators, years[0])
        # Even a small group shows every variant: the second member has both kinds of
        # image, the third gives its indicators as CSV.
        if position == 1:
            profile.images = "both"
        if position == 2:
            profile.csv_indicators = True
        editions = _editions(member_rng, profile, catalogue, years)
        for index, (edition_year, items) in enumerate(editions):
            initiatives += len(items)
            deadline = dt.date(edition_year + 1, 2, 28)
            text, extra = _contribution(
                member_rng, profile, catalogue, edition_year, deadline, items, index
            )
            edition = tree.edition(edition_year)
            files[edition.contribution(member.code).as_posix()] = text.encode("utf-8")
            for name, content in extra.items():
                files[(edition.contributions / name).as_posix()] = content
    return files, initiatives


def write_demo_inputs(
    out: Path, members: int, year: int, seed: int, *, force: bool = False
) -> DemoSummary:
    """Write a synthetic inputs tree to `out`; refuses a non-empty folder unless `force`."""
    files, initiatives = _generate(members, year, seed)
    years = (year - 1, year)
    _check_out(out, force, years)
    written: list[Path] = []
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    images = sum(1 for n in files if n.endswith((".png", ".svg")))
    csvs = sum(1 for n in files if n.endswith(".csv"))
    return DemoSummary(
        out=out,
        members=members,
        years=years,
        files=len(files),
        bytes=sum(len(c) for c in files.values()),
        initiatives=initiatives,
        images=images,
        csv_files=csvs,
        paths=tuple(written),
    )
