"""What changed between two drafts, from their manifests and the data they published.

Inputs are compared by the sha256 each manifest recorded; contents by the drafts' own
`data/initiatives.csv` and `data/indicators.csv`; the members' texts (summary, governance,
initiatives, case study, an indicator's source and note) word by word (`worddiff`), from
each draft's `report.json` (which holds every text as the report shows it) and its
indicators.csv. Nothing is recomputed from today's inputs, so a comparison of two old
drafts stays what it was.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from ..layout import (
    CONTRIBUTIONS,
    EDITION,
    FACTS_JSON,
    FINAL,
    LATEST,
    REPORT_JSON,
    REVIEWS,
    TRANSLATIONS,
    WORKING_GROUP,
    Draft,
    YearOutputs,
)
from .worddiff import Excerpt, excerpt_text, html_text, word_diff

EDITORIAL = {EDITION: "the edition settings", WORKING_GROUP: "the working group"}


@dataclass
class TextChange:
    """A member's text field that changed: "summary", "initiative mobile-id: description",
    and the sentences that changed in it, word by word."""

    field: str
    excerpts: list[Excerpt]


@dataclass
class MemberChanges:
    member: str
    initiatives_added: list[str] = field(default_factory=list)  # "id: title"
    initiatives_removed: list[str] = field(default_factory=list)
    status_changes: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    indicator_changes: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    text_changes: list[TextChange] = field(default_factory=list)

    def empty(self) -> bool:
        return not (
            self.initiatives_added
            or self.initiatives_removed
            or self.status_changes
            or self.indicator_changes
            or self.text_changes
        )


@dataclass
class SentenceChange:
    """A sentence of the secretariat's text, written the same in both drafts, whose
    referenced values changed: `{{ egdi-rank.members.declined }}` was 6, is now 5."""

    file: str
    line: int
    written: str
    printed: str  # as the newer draft prints it
    values: list[tuple[str, str, str]]  # reference, before, after


@dataclass
class DraftChanges:
    older: str
    newer: str
    contributions_added: list[str] = field(default_factory=list)  # member codes
    contributions_removed: list[str] = field(default_factory=list)
    contributions_changed: list[str] = field(default_factory=list)
    members: list[MemberChanges] = field(default_factory=list)
    # Members in the older draft whose contribution the newer one left out (still submitted,
    # no longer valid): {"member", "reason", "errors"}. Their content is not "removed".
    left_out: list[dict[str, Any]] = field(default_factory=list)
    included_again: list[str] = field(default_factory=list)  # left out before, in again
    editorial: list[str] = field(default_factory=list)  # input files, e.g. foreword.md
    note: str | None = None  # when no input changed
    # Sentences of the editorial text whose referenced values changed (facts.json)
    sentences: list[SentenceChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Draft(folder).manifest.read_text(encoding="utf-8"))
    return data


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    path = Draft(folder).data(name)
    if not path.is_file():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _member_texts(member: dict[str, Any]) -> dict[str, str]:
    """A member chapter's texts (report.json's `members[]`) by field, in the report's
    order. An initiative's fields are there exactly when it is (empty when not given), and
    the case study's always (empty without one), so that its adding shows in words."""
    gov = member.get("governance") or {}
    texts = {
        "summary": html_text(member.get("summary_html") or ""),
        "governance: lead institution": gov.get("lead_institution") or "",
        "governance: coordination model": gov.get("coordination_model") or "",
        "governance: strategy": gov.get("strategy") or "",
        "governance: strategy adopted": gov.get("strategy_adopted") or "",
        "governance: strategy horizon": gov.get("strategy_horizon") or "",
        "governance: strategy address": gov.get("strategy_url") or "",
        "governance: legal instruments": "; ".join(
            f"{name} ({year})" for name, year in gov.get("legal_instruments") or []
        ),
    }
    prefix = f"{str(member.get('code', '')).lower()}-"
    for item in member.get("initiatives") or []:
        ident = str(item["id"]).removeprefix(prefix)
        texts[f"initiative {ident}: title"] = item.get("title") or ""
        texts[f"initiative {ident}: description"] = html_text(item.get("description_html") or "")
        texts[f"initiative {ident}: outcomes"] = "\n\n".join(
            html_text(o) for o in item.get("outcomes") or []
        )
        texts[f"initiative {ident}: image text"] = item.get("image_alt") or ""
    study = member.get("case_study") or {}
    texts["case study: title"] = study.get("title") or ""
    texts["case study: text"] = html_text(study.get("body_html") or "")
    texts["case study: image text"] = study.get("image_alt") or ""
    return texts


@lru_cache(maxsize=32)
def _texts_of(report: str, indicators: str, stamp: tuple[int, ...]) -> dict[str, dict[str, str]]:
    """Every member's texts in a draft, by member then field (a published draft never
    changes: `stamp`, the files' times and sizes, keys the cache all the same)."""
    out: dict[str, dict[str, str]] = {}
    path = Path(report)
    if path.is_file():
        for member in json.loads(path.read_text(encoding="utf-8")).get("members", []):
            out[str(member.get("code"))] = _member_texts(member)
    rows = Path(indicators)
    if rows.is_file():
        for row in csv.DictReader(io.StringIO(rows.read_text(encoding="utf-8"))):
            texts = out.setdefault(row["member"], {})
            texts[f"indicator {row['indicator']}: source"] = row.get("source") or ""
            texts[f"indicator {row['indicator']}: note"] = row.get("note") or ""
    return out


def draft_texts(folder: Path) -> dict[str, dict[str, str]]:
    """The members' texts a draft published: report.json's chapters and indicators.csv's
    sources and notes (nothing for a draft without them)."""
    draft = Draft(folder)
    report, indicators = draft.file(REPORT_JSON), draft.data("indicators.csv")
    stamp = tuple(
        n
        for p in (report, indicators)
        if p.is_file()
        for n in (p.stat().st_mtime_ns, p.stat().st_size)
    )
    return _texts_of(str(report), str(indicators), stamp)


def text_changes(old: dict[str, str], new: dict[str, str]) -> list[TextChange]:
    """The fields of a member's texts that changed, word by word; a field only one side
    has (an initiative added or removed, said as such) is left out."""
    out: list[TextChange] = []
    for name in dict.fromkeys([*new, *old]):
        if name in old and name in new:
            excerpts = word_diff(old[name], new[name])
            if excerpts:
                out.append(TextChange(name, excerpts))
    return out


def _member_of(name: str) -> str | None:
    """The member a contribution input belongs to: KR.yaml, KR.indicators.csv, KR/x.svg."""
    parts = PurePosixPath(name).parts
    if CONTRIBUTIONS not in parts:
        return None
    rest = parts[parts.index(CONTRIBUTIONS) + 1 :]
    if not rest:
        return None
    first = rest[0] if len(rest) > 1 else rest[0].split(".", 1)[0]
    return first.upper()


def _by_member(inputs: dict[str, str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, digest in inputs.items():
        member = _member_of(name)
        if member is not None:
            out.setdefault(member, {})[name] = digest
    return out


def _editorial(inputs: dict[str, str]) -> dict[str, str]:
    return {
        n: d
        for n, d in inputs.items()
        if _member_of(n) is None and REVIEWS not in PurePosixPath(n).parts[:-1]
    }


def _editorial_name(name: str) -> str:
    """An editorial input as the changes name it: its file name, a translation file from
    its translations/ folder on (`translations/ko/KR.yaml`, not a contribution's name)."""
    parts = PurePosixPath(name).parts
    if TRANSLATIONS in parts[:-1]:
        return "/".join(parts[parts.index(TRANSLATIONS) :])
    return parts[-1]


def _sentences(folder: Path) -> list[dict[str, Any]]:
    """The editorial sentences a draft recorded in facts.json (none before it had one)."""
    path = Draft(folder).file(FACTS_JSON)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("sentences", [])) if isinstance(data, dict) else []


def sentence_changes(older: Path, newer: Path) -> list[SentenceChange]:
    """Each editorial sentence of the newer draft, written as in the older one, whose
    references print other values (a sentence rewritten is an editorial file changed)."""
    before: dict[tuple[str, str], dict[str, str]] = {}
    for s in _sentences(older):
        before.setdefault((s["file"], s["written"]), s.get("values", {}))
    out = []
    for s in _sentences(newer):
        was = before.get((s["file"], s["written"]))
        if was is None:
            continue
        now: dict[str, str] = s.get("values", {})
        moved = [(k, was.get(k, "n/a"), v) for k, v in now.items() if was.get(k, "n/a") != v]
        if moved:
            out.append(SentenceChange(s["file"], int(s["line"]), s["written"], s["printed"], moved))
    return out


def previous_edition_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The previous edition's files that changed between two drafts' manifests (the
    changes between editions are computed from them); none when either draft predates
    the manifest's `previous_edition` or the two compare with different editions."""
    before, after = old.get("previous_edition"), new.get("previous_edition")
    if not before or not after or before.get("year") != after.get("year"):
        return []
    was, now = before.get("inputs", {}), after.get("inputs", {})
    return [
        f"{name} (the previous edition)"
        for name in sorted(set(was) | set(now))
        if was.get(name) != now.get(name)
    ]


def compare_drafts(older: Path, newer: Path) -> DraftChanges:
    """The changes from draft folder `older` to `newer`."""
    old, new = _manifest(older), _manifest(newer)
    changes = DraftChanges(older=older.name, newer=newer.name)
    old_members, new_members = _by_member(old["inputs"]), _by_member(new["inputs"])
    changes.contributions_added = sorted(set(new_members) - set(old_members))
    changes.contributions_removed = sorted(set(old_members) - set(new_members))
    changes.contributions_changed = sorted(
        m for m in set(old_members) & set(new_members) if old_members[m] != new_members[m]
    )
    old_ed, new_ed = _editorial(old["inputs"]), _editorial(new["inputs"])
    changes.editorial = sorted(
        _editorial_name(n) for n in set(old_ed) | set(new_ed) if old_ed.get(n) != new_ed.get(n)
    )
    changes.editorial += previous_edition_changes(old, new)
    changes.sentences = sentence_changes(older, newer)
    compared = set(changes.contributions_changed)
    was_in, now_in = set(old.get("members_included", [])), set(new.get("members_included", []))
    reasons = {e["member"]: e for e in new.get("members_left_out", [])}
    for member in [m for m in old.get("members_included", []) if m not in now_in]:
        if member in new_members:  # submitted, but left out: not a member who deleted it all
            entry = reasons.get(member, {})
            changes.left_out.append(
                {"member": member, "reason": entry.get("reason"), "errors": entry.get("errors")}
            )
    changes.included_again = [
        m for m in new.get("members_included", []) if m not in was_in and m in old_members
    ]
    compared -= {e["member"] for e in changes.left_out} | set(changes.included_again)
    old_init = {(r["member"], r["id"]): r for r in _rows(older, "initiatives.csv")}
    new_init = {(r["member"], r["id"]): r for r in _rows(newer, "initiatives.csv")}
    old_ind = {(r["member"], r["indicator"]): r for r in _rows(older, "indicators.csv")}
    new_ind = {(r["member"], r["indicator"]): r for r in _rows(newer, "indicators.csv")}
    old_texts, new_texts = draft_texts(older), draft_texts(newer)
    order = new.get("members_included", []) + old.get("members_included", [])
    for member in dict.fromkeys(order):
        if member not in compared:
            continue
        mc = MemberChanges(member)
        for key in sorted(set(new_init) - set(old_init)):
            if key[0] == member:
                mc.initiatives_added.append(f"{key[1]}: {new_init[key]['title']}")
        for key in sorted(set(old_init) - set(new_init)):
            if key[0] == member:
                mc.initiatives_removed.append(f"{key[1]}: {old_init[key]['title']}")
        for key in sorted(set(old_init) & set(new_init)):
            if key[0] == member and old_init[key]["status"] != new_init[key]["status"]:
                mc.status_changes.append((key[1], old_init[key]["status"], new_init[key]["status"]))
        for key in sorted(set(old_ind) | set(new_ind)):
            if key[0] != member:
                continue
            before = (old_ind.get(key) or {}).get("value") or "n/a"
            after = (new_ind.get(key) or {}).get("value") or "n/a"
            if before != after:
                mc.indicator_changes.append((key[1], before, after))
        mc.text_changes = text_changes(old_texts.get(member, {}), new_texts.get(member, {}))
        if not mc.empty():
            changes.members.append(mc)
    if old["inputs"] == new["inputs"] and not previous_edition_changes(old, new):
        tool = []
        if old.get("templates_sha256") != new.get("templates_sha256"):
            tool.append("the templates")
        if (old.get("tool_version"), old.get("git_commit")) != (
            new.get("tool_version"),
            new.get("git_commit"),
        ):
            tool.append(
                f"the tool ({old.get('tool_version')} at {str(old.get('git_commit'))[:10]} → "
                f"{new.get('tool_version')} at {str(new.get('git_commit'))[:10]})"
            )
        changes.note = (
            f"No input changed; only {' and '.join(tool)} changed."
            if tool
            else "No input, template or tool changed: a rebuild."
        )
    return changes


def changes_lines(c: DraftChanges) -> list[str]:
    """The changes as plain lines (for `wgreport diff` and the review page)."""
    lines: list[str] = []
    if c.note:
        lines.append(c.note)
    for label, codes in (
        ("contribution added", c.contributions_added),
        ("contribution removed", c.contributions_removed),
        ("contribution changed", c.contributions_changed),
    ):
        lines += [f"{code}: {label}" for code in codes]
    for entry in c.left_out:
        errors = entry.get("errors")
        count = f" ({errors} error{'s' if errors != 1 else ''})" if errors else ""
        lines.append(f"{entry['member']} left out: {entry.get('reason') or 'not valid'}{count}")
    lines += [f"{code} included again: valid again" for code in c.included_again]
    for m in c.members:
        lines += [f"{m.member}: initiative added: {x}" for x in m.initiatives_added]
        lines += [f"{m.member}: initiative removed: {x}" for x in m.initiatives_removed]
        lines += [f"{m.member}: status of {i}: {a} → {b}" for i, a, b in m.status_changes]
        lines += [f"{m.member}: {i}: {a} → {b}" for i, a, b in m.indicator_changes]
    lines += [
        f"editorial: {name}{f' ({EDITORIAL[name]})' if name in EDITORIAL else ''} changed"
        for name in c.editorial
    ]
    lines += [sentence_line(s) for s in c.sentences]
    return lines


def sentence_line(s: SentenceChange) -> str:
    """ "editorial: key-messages.md line 6: a value it cites changed (egdi-rank.members.declined
    6 → 5): '5 of the 10 members fell in the world ranking…'" """
    values = "; ".join(f"{k} {a} → {b}" for k, a, b in s.values)
    cites = "values it cites changed" if len(s.values) > 1 else "a value it cites changed"
    return f"editorial: {s.file} line {s.line}: {cites} ({values}): '{s.printed}'"


def words_lines(c: DraftChanges) -> list[str]:
    """The members' texts that changed, one line per changed sentence, in the notation of
    wdiff: `KR: summary: … moved [-several-]{+many+} projects …` (for `wgreport diff`)."""
    return [
        f"{m.member}: {t.field}: {excerpt_text(e)}"
        for m in c.members
        for t in m.text_changes
        for e in t.excerpts
    ]


def draft_folders(year_dir: Path) -> list[Path]:
    """The year's draft folders, oldest first."""
    drafts = YearOutputs(year_dir).drafts
    if not drafts.is_dir():
        return []
    return sorted(
        (p for p in drafts.iterdir() if p.name.isdigit() and Draft(p).published),
        key=lambda p: int(p.name),
    )


def resolve_draft(year_dir: Path, name: str) -> Path:
    """A draft folder from "3", "003", "latest" (the newest draft) or "final". A refusal
    names the draft as the command line does (draft 003), never the folder's full path."""
    if name == FINAL:
        draft = YearOutputs(year_dir).final
    elif name == LATEST:
        drafts = draft_folders(year_dir)
        if not drafts:
            raise ValueError(f"there is no published draft of {year_dir.name} yet")
        draft = Draft(drafts[-1])
    elif name.isdigit():
        draft = YearOutputs(year_dir).draft(int(name))
    else:
        raise ValueError(f"'{name}' is not a draft number, 'latest' or 'final'")
    if not draft.published:
        shown = "the final" if name == FINAL else f"draft {draft.folder.name}"
        raise ValueError(f"{shown} of {year_dir.name} is not published")
    return draft.folder
