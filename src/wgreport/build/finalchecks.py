"""The checks of a final's preflight (build/preflight.py): each a function from what the
preflight read (`Material`) to the problems it finds, every problem with its file, line,
what is wrong, what to do and the flag that overrides its check."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..inputs.comments import Reviews
from ..inputs.edition import LoadedEdition
from ..inputs.editorial import editorial_files
from ..inputs.editorialtranslations import editorial_translations
from ..inputs.models import PLACEHOLDER_ID, Edition
from ..inputs.yamlsource import FieldPath, Source, format_path, load_yaml

FUTURE_DAYS = 90

_PLACEHOLDER = re.compile(
    rf"\b(?:TODO|TBD|XXX|FIXME)\b|\b{re.escape(PLACEHOLDER_ID)}\b|(?i:\blorem\s+ipsum\b)"
)
_LINK = re.compile(r"\b(?:https?|ftp)://([^/\s?#)<>\]\[\"'`|]+)[^\s)<>\]\"'`|]*", re.IGNORECASE)
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


@dataclass(frozen=True)
class Problem:
    """One reason not to publish: its check, where (file and 1-based line, when known),
    what is wrong and what to do, and the flag that overrides it."""

    check: str
    file: str | None
    line: int | None
    message: str
    fix: str
    flag: str
    subject: str | None = None  # the member a `members` problem is about (--allow-missing)
    subject_name: str | None = None  # and its name, as the imprint says it
    count: int = 1  # how many things it stands for (comments that cannot be read)

    @property
    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "fix": self.fix,
            "flag": self.flag,
        }


@dataclass
class Material:
    """What the checks read: the edition as validated, its review files, today."""

    loaded: LoadedEdition
    reviews: Reviews
    today: dt.date
    _sources: dict[Path, Source] = field(default_factory=dict)

    def source(self, path: Path) -> Source:
        """A YAML file with the position of every value (read once)."""
        if path not in self._sources:
            self._sources[path] = load_yaml(path, self.display(path))
        return self._sources[path]

    def display(self, path: Path) -> str:
        return self.loaded.files.display(path)

    @property
    def edition(self) -> Edition:
        return self.loaded.edition

    @property
    def cutoff(self) -> dt.date:
        return self.edition.data_cutoff or self.edition.deadline

    @property
    def edition_file(self) -> Path:
        return self.loaded.files.edition

    def edition_line(self, *path: str | int) -> int | None:
        """The line of a field of edition.yaml (None when the field is missing)."""
        source, where = self.source(self.edition_file), tuple(path)
        found = source.values.get(where) or source.keys.get(where)
        return found[0] if found else None

    @property
    def foreword(self) -> Path | None:
        name = self.edition.foreword
        return self.edition_file.parent / name if name else None

    def included(self) -> list[tuple[str, Path]]:
        """The contributions the final carries: (code, file), in the group's order."""
        return [
            (s.code, s.path)
            for s in self.loaded.status
            if s.code in self.loaded.contributions and s.path is not None
        ]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- the checks -------------------------------------------------------------------------


def _strings(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string value of a YAML tree, with its field path (keys are not values)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, (*path, index))


def _line_of(source: Source, path: FieldPath, needle: str) -> int:
    """The line where `needle` of the value at `path` is: from the value's first line,
    the first line of the file that holds it (a block scalar spans lines)."""
    start = source.locate(path)[0]
    lines = source.text.splitlines()
    for number in range(start, len(lines) + 1):
        if needle in lines[number - 1]:
            return number
    return start


def _editorial_yaml(m: Material) -> list[Path]:
    return [m.loaded.files.working_group, m.edition_file]


def _yaml_files(m: Material) -> list[tuple[Path, str]]:
    """The YAML files a final prints from, each with what it is (for the fix)."""
    files = [(p, "editorial") for p in _editorial_yaml(m)]
    return files + [(p, code) for code, p in m.included()]


def _text_lines(path: Path | None) -> list[str]:
    if path is None or not path.is_file():
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def find_placeholders(m: Material) -> Iterator[Problem]:
    flag = "--allow-placeholders"
    for path, what in _yaml_files(m):
        source = m.source(path)
        for fpath, value in _strings(source.data):
            match = _PLACEHOLDER.search(value)
            if match is None:
                continue
            field_name = format_path(fpath)
            owner = (
                "the secretariat"
                if what == "editorial"
                else f"{what}'s contact (or the secretariat)"
            )
            yield Problem(
                "placeholders",
                m.display(path),
                _line_of(source, fpath, match.group(0)),
                f"{field_name} still holds placeholder text: {_excerpt(value, match)}",
                f"{owner}: replace it with the real text, then run wgreport validate "
                f"{m.display(path)}",
                flag,
            )
    foreword = m.foreword
    for number, text in enumerate(_text_lines(foreword), start=1):
        match = _PLACEHOLDER.search(text)
        if match is not None and foreword is not None:
            yield Problem(
                "placeholders",
                m.display(foreword),
                number,
                f"the foreword still holds placeholder text: {_excerpt(text, match)}",
                "write the foreword in its place",
                flag,
            )
    yield from _editorial_placeholders(m, flag)


def _editorial_placeholders(m: Material, flag: str) -> Iterator[Problem]:
    """An editorial chapter still holding its placeholder, and an editorial text whose
    reference resolves to nothing (it would print as written: `{{ egdi.wrld.change }}`)."""
    folder = m.edition_file.parent
    forewords = editorial_translations(folder, [m.edition.foreword] if m.edition.foreword else [])
    files = [(None, n) for n in forewords] + [
        (c, n) for c in m.edition.chapters
        for n in (c.file, *editorial_translations(folder, [c.file]))]  # fmt: skip
    for chapter, name in files:  # the chapters', and each translation's (foreword.ko.md)
        path = folder / name
        what = f"the chapter '{chapter.title}'" if chapter else "the foreword"
        for number, text in enumerate(_text_lines(path), start=1):
            match = _PLACEHOLDER.search(text)
            if match is not None:
                yield Problem("placeholders", m.display(path), number,
                              f"{what} still holds placeholder text: "
                              f"{_excerpt(text, match)}",
                              f"write the {'chapter' if chapter else 'foreword'} in its place",
                              flag)  # fmt: skip
    texts = {m.display(folder / n) for n in editorial_files(m.edition, folder)}
    for report in m.loaded.report.files:
        if report.file in texts:
            for issue in report.sorted_issues():
                if issue.severity == "error":
                    yield Problem("placeholders", report.file, issue.line,
                                  f"{issue.message}: it would print as written",
                                  f"{issue.hint or 'correct it'}; wgreport validate "
                                  f"{m.display(m.edition_file)}", flag)  # fmt: skip


def _excerpt(text: str, match: re.Match[str]) -> str:
    start = max(0, match.start() - 20)
    piece = " ".join(text[start : match.end() + 40].split())
    return f"'{'…' if start else ''}{piece}{'…' if match.end() + 40 < len(text) else ''}'"


def find_front_matter(m: Material) -> Iterator[Problem]:
    flag, shown = "--allow-incomplete-front-matter", m.display(m.edition_file)
    edition = m.edition
    foreword = m.foreword
    if foreword is None:
        yield Problem(
            "front-matter", shown, m.edition_line("foreword"), "the edition names no foreword",
            "write foreword.md beside edition.yaml and add `foreword: foreword.md`", flag,
        )  # fmt: skip
    elif not "".join(_text_lines(foreword)).strip():
        yield Problem(
            "front-matter",
            m.display(foreword),
            None,
            "the foreword is missing or empty",
            f"write the foreword in {m.display(foreword)}",
            flag,
        )
    missing = [
        ("foreword_signatory", "no foreword signatory",
         "add `foreword_signatory:` with `name:` and `role:` (who signs the foreword)"),
        ("approval", "no approval",
         "add `approval:` with `by:` (e.g. the Working Group at its plenary) and `date:`"),
        ("publication_date", "no publication date",
         "add `publication_date: YYYY-MM-DD` (the day the final is published)"),
    ]  # fmt: skip
    for key, message, fix in missing:
        if getattr(edition, key) is None:
            yield Problem("front-matter", shown, m.edition_line(key), message, fix, flag)


def find_dates(m: Material) -> Iterator[Problem]:
    flag, shown, edition = "--allow-dates", m.display(m.edition_file), m.edition
    published = edition.publication_date
    when = published or m.today
    said = f"the publication date {when}" if published else f"today, {when} (no publication_date)"
    line = m.edition_line("publication_date")
    if when < edition.deadline:
        yield Problem(
            "dates", shown, line, f"{said} is before the deadline {edition.deadline}",
            "publish after the contributions are due: correct publication_date (or the "
            "deadline)", flag,
        )  # fmt: skip
    if when < m.cutoff:
        yield Problem(
            "dates", shown, line,
            f"{said} is before the data cut-off {m.cutoff}: the report would say it uses "
            "data published after it", "correct publication_date or data_cutoff", flag,
        )  # fmt: skip
    if published and published > m.today + dt.timedelta(days=FUTURE_DAYS):
        yield Problem(
            "dates", shown, line,
            f"the publication date {published} is more than {FUTURE_DAYS} days after today "
            f"({m.today})", "check the year of publication_date; build the final when it is "
            "about to be published", flag,
        )  # fmt: skip
    approval = edition.approval
    if approval is not None:
        aline = m.edition_line("approval", "date")
        if published and approval.date > published:
            yield Problem(
                "dates", shown, aline,
                f"the approval date {approval.date} is after the publication date {published}",
                "a final is approved before it is published: correct approval.date or "
                "publication_date", flag,
            )  # fmt: skip
        if approval.date < edition.deadline:
            yield Problem(
                "dates", shown, aline,
                f"the approval date {approval.date} is before the deadline {edition.deadline}",
                "the group approves the report made from the contributions: correct "
                "approval.date", flag,
            )  # fmt: skip
    previous = _previous_cutoff(m)
    if previous is not None:
        for index, source in enumerate(edition.sources):
            if source.accessed <= previous:
                yield Problem(
                    "dates", shown, m.edition_line("sources", index, "accessed"),
                    f"source '{source.title}' was last checked {source.accessed}, on or before "
                    f"the previous edition's data cut-off {previous}: its edition and access "
                    "date were carried over", "check the source again: give its edition "
                    "and the date you checked its values (`edition:`, `accessed:`)", flag,
                )  # fmt: skip


def _previous_cutoff(m: Material) -> dt.date | None:
    from ..inputs.validation import load_edition
    from ..layout import Inputs

    year = m.edition.previous_edition
    if year is None:
        return None
    path = Inputs(m.loaded.files.inputs_dir).edition(year).settings
    if not path.is_file():
        return None
    previous, _ = load_edition(path, None, year)
    if previous is None:
        return None
    return previous.data_cutoff or previous.deadline


def _data_years(m: Material) -> dict[str, int]:
    """Per indicator, the survey edition most included values come from (the latest on a
    tie): the one whose reference averages the report shows (content.compare.data_year)."""
    counts: dict[str, Counter[int]] = {}
    for contribution in m.loaded.contributions.values():
        for value in contribution.indicators:
            if value.data_year is not None:
                counts.setdefault(value.id, Counter())[value.data_year] += 1
    years = {}
    for indicator, counter in counts.items():
        top = max(counter.values())
        years[indicator] = max(y for y, n in counter.items() if n == top)
    return years


def find_late_sources(m: Material) -> Iterator[Problem]:
    flag, shown, cutoff = "--allow-late-sources", m.display(m.edition_file), m.cutoff
    for index, source in enumerate(m.edition.sources):
        if source.accessed > cutoff:
            yield Problem(
                "late-sources", shown, m.edition_line("sources", index, "accessed"),
                f"source '{source.title}' was accessed {source.accessed}, after the data "
                f"cut-off {cutoff}", "use the values as they stood on the cut-off (and an "
                "access date on or before it), or move data_cutoff", flag,
            )  # fmt: skip
    wg_path = m.loaded.files.working_group
    years = _data_years(m)
    for i, indicator in enumerate(m.loaded.working_group.indicators):
        for j, ref in enumerate(indicator.references):
            if ref.data_year != years.get(indicator.id) or ref.published is None:
                continue
            if ref.published > cutoff:
                yield Problem(
                    "late-sources", m.display(wg_path),
                    m.source(wg_path).locate(("indicators", i, "references", j, "published"))[0],
                    f"the reference value '{ref.label} {ref.value:g}' of {indicator.id} was "
                    f"published {ref.published}, after the data cut-off {cutoff}",
                    "take the value from a publication issued on or before the cut-off "
                    "(source, url, published), or move data_cutoff", flag,
                )  # fmt: skip


def reserved_host(host: str) -> str | None:
    """Why a link's host leads nowhere real (None when it may): a name reserved for
    examples and tests (RFC 2606, RFC 6761), a loopback address, or a host named
    `example` (www.example.gov.uk: a placeholder)."""
    name = host.rsplit("@", 1)[-1].lower()
    if name.startswith("["):
        name = name[1 : name.find("]")] if "]" in name else name[1:]
        return "a loopback address" if name == "::1" else None
    name = name.split(":", 1)[0].rstrip(".")
    labels = name.split(".")
    if labels[-1] in _RESERVED_TLDS:
        return f"a name under .{labels[-1]}, reserved for examples and tests (RFC 2606, RFC 6761)"
    if len(labels) >= 2 and labels[-2] == "example" and labels[-1] in ("com", "net", "org"):
        return f"example.{labels[-1]}, reserved for examples (RFC 2606)"
    if re.fullmatch(r"127(\.\d{1,3}){3}", name):
        return "a loopback address"
    if "example" in labels:
        return "a host named 'example', a placeholder rather than a real site"
    return None


def _links(text: str) -> Iterator[tuple[str, str, str]]:
    """(url, host, why) of each link in `text` whose host is reserved."""
    for match in _LINK.finditer(text):
        why = reserved_host(match.group(1))
        if why is not None:
            yield match.group(0), match.group(1), why


def find_example_links(m: Material) -> Iterator[Problem]:
    flag = "--allow-example-links"
    fix = "link the real page (the organisation's official site), or remove the link"
    for path, _ in _yaml_files(m):
        source = m.source(path)
        for fpath, value in _strings(source.data):
            for url, _host, why in _links(value):
                field_name = format_path(fpath)
                yield Problem(
                    "example-links", m.display(path), _line_of(source, fpath, url),
                    f"{field_name} links {url}: {why}", fix, flag,
                )  # fmt: skip
    foreword = m.foreword
    for number, text in enumerate(_text_lines(foreword), start=1):
        for url, _host, why in _links(text):
            if foreword is not None:
                yield Problem(
                    "example-links", m.display(foreword), number,
                    f"the foreword links {url}: {why}", fix, flag,
                )  # fmt: skip


def find_members(m: Material) -> Iterator[Problem]:
    year = m.loaded.year
    for s in m.loaded.status:
        if s.valid:
            continue
        if s.file is None:
            fix = (
                f"ask {s.code} for its contribution (wgreport status --year {year}), or "
                f"publish without it with --allow-missing {s.code}"
            )
        else:
            fix = (
                f"fix it (wgreport validate {s.file}), or publish without it with "
                f"--allow-missing {s.code}"
            )
        yield Problem(
            "members", s.file, _first_error_line(m, s.file), f"{s.code} ({s.label})"
            + (f": {plural(s.errors, 'error')}" if s.errors else ""), fix,
            f"--allow-missing {s.code}", subject=s.code, subject_name=s.name,
        )  # fmt: skip


def _first_error_line(m: Material, file: str | None) -> int | None:
    if file is None:
        return None
    for report in m.loaded.report.files:
        if report.file == file:
            lines = [i.line for i in report.issues if i.severity == "error" and i.line]
            return min(lines) if lines else None
    return None


def find_open_comments(m: Material) -> Iterator[Problem]:
    return comment_problems(m.reviews, m.loaded.year)


def comment_problems(reviews: Reviews, year: int) -> Iterator[Problem]:
    """Each review comment still open, and each review file with comments that cannot be
    read (nobody can know whether they are resolved)."""
    flag = "--allow-open-comments"
    for row in reviews.rows:
        if row.status == "open":
            yield Problem(
                "open-comments", row.file, row.line,
                f"{row.ref} on {row.section_title or row.section} is still open",
                "give it a status (accepted, rejected or deferred) and a response in its "
                f"review file; wgreport comments --year {year} --status open lists them",
                flag,
            )  # fmt: skip
    for review in reviews.files:
        if review.left_out:
            yield Problem(
                "open-comments", review.report.file, None,
                f"{plural(review.left_out, 'comment')} cannot be read (errors in the review file), "
                "so nobody knows whether it is resolved",
                f"fix the file (wgreport comments --year {year} shows its errors)", flag,
                count=review.left_out,
            )  # fmt: skip


class ConfirmationState(Protocol):
    """What `wgreport.review.confirmations.member_states` gives per member."""

    @property
    def state(self) -> str: ...

    @property
    def line(self) -> int | None: ...


def unconfirmed_problems(
    states: Mapping[str, ConfirmationState], record_file: str, included: Sequence[str]
) -> Iterator[Problem]:
    """The country-validation check, given `confirmations.member_states(...)`: every
    member the final carries that has not confirmed the content it carries."""
    for code in included:
        state = states.get(code)
        name = state.state if state is not None else "not requested"
        if name == "confirmed":
            continue
        yield Problem(
            "unconfirmed", record_file, state.line if state is not None else None,
            f"{code} has not confirmed its chapter: {name}",
            "open a validation round and ask the member to confirm "
            "(wgreport validation status), or publish with --allow-unconfirmed",
            "--allow-unconfirmed",
        )  # fmt: skip


def find_unconfirmed(m: Material) -> Iterator[Problem]:
    """Country validation: every member the final carries must have confirmed, in the
    newest round, the very content it carries (review/confirmations.py)."""
    from ..layout import Inputs
    from ..review.confirmations import confirmation_states, load_record

    inputs_dir, year = m.loaded.files.inputs_dir, m.loaded.year
    states = confirmation_states(m.loaded, load_record(inputs_dir, year))
    record = m.display(Inputs(inputs_dir).edition(year).country_validation)
    yield from unconfirmed_problems(states, record, [code for code, _ in m.included()])


#: What a cited fact prints and where it comes from, by id (pipeline.printed_facts): given
#: by the caller, so that this module (which the portal imports) reaches no build stage.
PrintedFacts = Callable[[LoadedEdition], Mapping[str, tuple[str, str]]]


def find_unavailable_facts(m: Material, printed_facts: PrintedFacts) -> Iterator[Problem]:
    """A fact cited in the foreword or an editorial chapter (`{{ fact-id }}`) that prints
    "n/a" in this edition: the sentence would read "rose by n/a". A warning of the preflight
    (it does not refuse the final: a value may be missing for good), with its file, line
    and why the fact has no value. The facts are computed (`printed_facts`) only when the
    text cites one."""
    from ..inputs.factrefs import scan

    folder = m.edition_file.parent
    cited = []
    for name in editorial_files(m.edition, folder):
        path = folder / name
        if path.is_file():
            refs, _ = scan(path.read_text(encoding="utf-8", errors="replace"))
            cited += [(path, ref) for ref in refs if ref.kind == "fact"]
    if not cited:
        return
    facts = printed_facts(m.loaded)
    for path, ref in cited:
        printed, source = facts.get(ref.id, ("", ""))
        if printed == "n/a":
            yield Problem(
                "unavailable-facts",
                m.display(path),
                ref.line,
                f"{{{{ {ref.id} }}}} prints 'n/a' in this edition ({source}): the "
                "sentence that cites it would read 'n/a'",
                "rewrite the sentence without this value, or cite a fact that has one "
                "(wgreport facts lists each fact's printed value)",
                "",
            )
