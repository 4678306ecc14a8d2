"""References in the secretariat's prose: `{{ fact-id }}` and `{{ figure:ID }}`.

The foreword and the editorial chapters may insert a computed fact exactly as the report
prints it (`{{ egdi.group.median }}` → 0.8871) and name a figure, table or chapter by its
id (`{{ figure:fig-egdi }}` → Figure 4.1, `{{ table:indicator-table }}` → Table 4.1,
`{{ chapter:indicators }}` → Chapter 4). A small scanner finds them: the text is never
evaluated as a template, and what is inserted is escaped so that it reads as plain text
in the Markdown that is then rendered and sanitised as members' Markdown is.

The ids of the facts are known from the group's catalogue and the member codes alone
(`fact_ids`), so `wgreport validate` reports an unknown id at its line and column with a
"did you mean", without computing a value. Standard library and the models only: the
member-facing commands import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .issues import Issue
from .models import Indicator, WorkingGroup
from .suggest import did_you_mean

#: The kinds of element a reference names besides a fact, and the word printed before
#: its number.
ELEMENT_KINDS = {"figure": "Figure", "table": "Table", "chapter": "Chapter"}

#: A reference: on one line, at most 200 characters between its braces (the scan stays
#: linear whatever the text; a longer or broken one is reported as an unclosed `{{`).
_REFERENCE = re.compile(r"\{\{([^{}\n]{0,200})\}\}")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
#: What Markdown would read as markup in an inserted value: escaped with a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")


@dataclass(frozen=True)
class Reference:
    """One `{{ … }}` in a text: what it names, and where (1-based line and column of the
    id itself, as an editor shows it)."""

    kind: str  # "fact", "figure", "table" or "chapter"
    id: str
    line: int
    column: int
    start: int  # the span of the whole `{{ … }}` in the text
    end: int
    raw: str  # the text between the braces, as written

    @property
    def key(self) -> str:
        """How facts.json records it: the fact's id, or `figure:fig-egdi`."""
        return self.id if self.kind == "fact" else f"{self.kind}:{self.id}"


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def scan(text: str) -> tuple[list[Reference], list[Issue]]:
    """Every reference in `text`, in order, and the syntax problems (an unclosed `{{`,
    an empty or malformed id)."""
    refs: list[Reference] = []
    problems: list[Issue] = []
    for match in _REFERENCE.finditer(text):
        raw = match.group(1)
        inner = raw.strip()
        offset = match.start(1) + (len(raw) - len(raw.lstrip()))
        line, column = _position(text, offset)
        kind, _, name = inner.partition(":") if ":" in inner else ("fact", "", inner)
        kind, name = kind.strip().lower(), name.strip()
        if kind not in ("fact", *ELEMENT_KINDS) or not _ID.match(name):
            problems.append(
                Issue(
                    "error",
                    "reference-syntax",
                    f"'{{{{{raw}}}}}' is not a reference: write {{{{ fact-id }}}}, or "
                    "{{ figure:ID }}, {{ table:ID }}, {{ chapter:ID }}",
                    "",
                    line,
                    column,
                    "see `wgreport facts` for the fact ids",
                )
            )
            continue
        refs.append(Reference(kind, name, line, column, match.start(), match.end(), raw))
    rest = _REFERENCE.sub(lambda m: " " * len(m.group(0)), text)
    opened = rest.find("{{")
    if opened >= 0:
        line, column = _position(text, opened)
        problems.append(
            Issue(
                "error",
                "reference-syntax",
                "'{{' opens a reference that is never closed with '}}'",
                "",
                line,
                column,
                "close it with }}, e.g. {{ egdi.group.median }}",
            )
        )
    return refs, problems


def check(text: str, facts: Iterable[str], elements: Mapping[str, Iterable[str]]) -> list[Issue]:
    """Every problem of the references in `text`: syntax, then ids that are not facts
    (or not figures, tables or chapters of the report), each with a 'did you mean'."""
    known = set(facts)
    refs, problems = scan(text)
    for ref in refs:
        if ref.kind == "fact" and ref.id not in known:
            problems.append(
                Issue(
                    "error",
                    "unknown-fact",
                    f"'{ref.id}' is not a fact of this edition",
                    "",
                    ref.line,
                    ref.column,
                    did_you_mean(ref.id, known) or "`wgreport facts` lists every fact's id",
                )
            )
        elif ref.kind != "fact" and ref.id not in set(elements.get(ref.kind, ())):
            choices = set(elements.get(ref.kind, ()))
            problems.append(
                Issue(
                    "error",
                    "unknown-reference",
                    f"'{ref.id}' is not a {ref.kind} of the report",
                    "",
                    ref.line,
                    ref.column,
                    did_you_mean(ref.id, choices) if choices else None,
                )
            )
    return sorted(problems, key=lambda p: p.sort_key)


def plain(value: str) -> str:
    """A printed value as Markdown text that renders as itself."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def resolve(
    text: str,
    facts: Mapping[str, str],
    labels: Mapping[str, str],
    unresolved: Callable[[Reference], str] | None = None,
) -> str:
    """`text` with every reference replaced: a fact by its printed value, an element by
    its label ("Figure 4.1"; keys `figure:ID`). A reference that resolves to nothing is
    left as written (a validation error says so), or replaced by `unresolved(ref)`."""
    refs, _ = scan(text)
    out: list[str] = []
    last = 0
    for ref in refs:
        out.append(text[last : ref.start])
        found = facts.get(ref.id) if ref.kind == "fact" else labels.get(ref.key)
        if found is not None:
            out.append(plain(found))
        else:
            out.append(unresolved(ref) if unresolved else text[ref.start : ref.end])
        last = ref.end
    out.append(text[last:])
    return "".join(out)


# --- the facts' ids --------------------------------------------------------------------------


def reference_slug(label: str) -> str:
    """A published average's short name in ids: "World average" → world, "OECD average"
    → oecd."""
    words = re.sub(r"[^a-z0-9]+", " ", label.lower()).split()
    if len(words) > 1 and words[-1] in ("average", "mean", "median"):
        words = words[:-1]
    return "-".join(words) or "reference"


def reference_labels(indicator: Indicator) -> list[str]:
    """The labels of an indicator's published averages, each once, in the catalogue's order."""
    labels: list[str] = []
    for ref in indicator.references:
        if ref.label not in labels:
            labels.append(ref.label)
    return labels


#: The families of facts, as the guide lists them: (id pattern, what it prints).
FAMILIES: list[tuple[str, str]] = [
    ("edition.year, edition.previous", "the edition's year and the previous edition's"),
    ("members.count", "how many members' contributions the report includes"),
    ("IND.group.median, IND.group.median.previous, IND.group.median.change",
     "the group median now, in the previous edition, and its change"),
    ("IND.group.lowest, IND.group.highest, IND.group.iqr, IND.group.reporting",
     "the spread: lowest and highest value, interquartile range, members reporting"),
    ("IND.REF.value, IND.REF.previous, IND.REF.change",
     "a published average (REF: world, oecd) now, before, and its change"),
    ("IND.REF.gap, IND.REF.gap.previous, IND.REF.gap.trend, IND.REF.members.better",
     "the group median minus the average, before, whether the gap narrowed, widened or "
     "held, and how many members do better than the average"),
    ("IND.members.improved, IND.members.declined, IND.members.unchanged, "
     "IND.members.compared",
     "how many members rose, fell or held (on a rank: in rank) since the previous edition"),
    ("IND.CODE.value, IND.CODE.previous, IND.CODE.change, IND.CODE.rank",
     "a member's value, previous value, change and rank among the members"),
    ("IND.CODE.median.gap, IND.CODE.median.side",
     "a member against the group median: the difference, and above, below or level with"),
    ("contrasts, contrasts.count",
     "members in the top quarter on one index and the bottom quarter on another"),
    ("initiatives.total, initiatives.new, initiatives.completed, initiatives.discontinued",
     "the initiatives reported, new, completed and discontinued since the previous edition"),
]  # fmt: skip


def indicator_fact_ids(indicator: Indicator, codes: Sequence[str]) -> list[str]:
    """The ids of one indicator's facts."""
    i = indicator.id
    ids = [
        f"{i}.group.median", f"{i}.group.median.previous", f"{i}.group.median.change",
        f"{i}.group.lowest", f"{i}.group.highest", f"{i}.group.iqr", f"{i}.group.reporting",
    ]  # fmt: skip
    for label in reference_labels(indicator):
        r = f"{i}.{reference_slug(label)}"
        ids += [f"{r}.value", f"{r}.previous", f"{r}.change", f"{r}.gap", f"{r}.gap.previous",
                f"{r}.gap.trend", f"{r}.members.better"]  # fmt: skip
    ids += [f"{i}.members.{w}" for w in ("improved", "declined", "unchanged", "compared")]
    for code in codes:
        m = f"{i}.{code}"
        ids += [f"{m}.value", f"{m}.previous", f"{m}.change", f"{m}.rank",
                f"{m}.median.gap", f"{m}.median.side"]  # fmt: skip
    return ids


def fact_ids(wg: WorkingGroup, codes: Sequence[str] | None = None) -> list[str]:
    """Every fact's id for the group's catalogue and `codes` (default: every member):
    knowable without computing anything."""
    members = [m.code for m in wg.members] if codes is None else list(codes)
    ids = ["edition.year", "edition.previous", "members.count"]
    for indicator in wg.indicators:
        ids += indicator_fact_ids(indicator, members)
    ids += ["contrasts", "contrasts.count"]
    ids += [f"initiatives.{w}" for w in ("total", "new", "completed", "discontinued")]
    return ids
