"""The secretariat's answer to a review comment: its `status` and `response`, written into
the reviewer's file (`inputs/<year>/reviews/<reviewer-id>.yaml`, the documented
`wgreport/review/v1` format), with the answer it replaces kept in the comment's `history`;
and the thread after it (`reply_to_comment`): the reviewer's and the secretariat's
replies, appended to the comment's `replies`, each `{at, by, text}`.

The file is read and written with ruamel's round trip, so the reviewer's text, their YAML
comments, quotes and indentation stay as they were; it is checked as `wgreport comments`
checks it before it is written (a change that would add an error is refused, the file
untouched) and written whole or not at all. The caller holds the reviewer's lock (the
portal's `Store.accepting`), as for a reviewer's own comment."""

from __future__ import annotations

import copy
import io
import itertools
import os
import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..inputs.comments import SECRETARIAT_AUTHOR, drafts_known, validate_review
from ..inputs.issues import Issue
from ..inputs.limits import COMMENT_CHARS
from ..inputs.models import COMMENT_STATUSES
from ..inputs.validation import load_working_group
from ..layout import Inputs, Outputs, shown
from ..runtime.clock import utc_now

#: A comment's reference, as `wgreport comments` prints it: `<reviewer-id>#<id>`.
REF = re.compile(r"([a-z0-9]+(?:-[a-z0-9]+)*)#([1-9][0-9]{0,5})")
#: What each field of the answer is called when a refusal names it.
_FIELD_WORDS = {"status": "Status", "response": "Response", "history": "Earlier answers"}


@dataclass
class Answered:
    """What became of an answer: `problems` (field → what is wrong, in words) when it was
    refused and nothing was written; `changed` False when it was the answer already."""

    ref: str
    path: Path | None = None
    changed: bool = False
    problems: dict[str, str] = field(default_factory=dict)
    replaced: dict[str, Any] | None = None  # the earlier answer, now in `history`

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_ref(ref: str) -> tuple[str, int] | None:
    """(reviewer id, comment id) of a reference like `ee-review-team#3`, or None."""
    found = REF.fullmatch(ref.strip())
    return (found[1], int(found[2])) if found else None


def review_path(inputs_dir: Path, year: int, reviewer: str) -> Path:
    """The reviewer's file: `<reviewer-id>.yaml`, or the `.yml` one where that is used."""
    path = Inputs(inputs_dir).edition(year).review(reviewer)
    other = path.with_suffix(".yml")
    return other if not path.is_file() and other.is_file() else path


def answer_comment(
    inputs_dir: Path, outputs_dir: Path, year: int, ref: str, status: str, response: str,
    by: str, at: str | None = None,
) -> Answered:  # fmt: skip
    """Set the status and response of comment `ref` in its reviewer's file; the answer it
    replaces (when there was one) is appended to the comment's `history`. Nothing is
    written when the answer is refused (`Answered.problems`) or unchanged."""
    text = response.replace("\r\n", "\n").replace("\r", "\n").strip()
    result = Answered(ref=ref.strip())
    problems = _answer_problems(ref, status, text)
    if problems:
        result.problems = problems
        return result
    found = parse_ref(ref)
    assert found is not None
    reviewer, number = found
    opened = _open_comment(inputs_dir, year, reviewer, number, result.problems)
    if opened is None:
        return result
    path, yaml, original, data, item = opened
    result.path = path
    current = (str(item.get("status", "open")), str(item.get("response") or "").strip())
    if current == (status, text):
        return result  # the answer it has already: nothing to keep in its history
    result.replaced = _replace(item, status, text, by, at or _now())
    new_text = _dump(yaml, data)
    errors = _new_errors(inputs_dir, outputs_dir, year, path, original, new_text)
    if errors:
        result.problems = errors
        return result
    _write(path, new_text)
    result.changed = True
    return result


def _answer_problems(ref: str, status: str, text: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if parse_ref(ref) is None:
        problems["ref"] = (f"'{ref.strip()[:60]}' is not a comment's reference: write it as "
                           "`wgreport comments` lists it, e.g. ee-review-team#3.")  # fmt: skip
    if status not in COMMENT_STATUSES:
        problems["status"] = (f"'{status[:30]}' is not a status: choose one of "
                              f"{', '.join(COMMENT_STATUSES)}.")  # fmt: skip
    elif status != "open" and not text:
        problems["response"] = (f"Write a response: a comment marked '{status}' needs one "
                                "that says what was done, or why not.")  # fmt: skip
    if len(text) > COMMENT_CHARS:
        problems["response"] = (f"The response is {len(text):,} characters long; at most "
                                f"{COMMENT_CHARS:,} are kept. Shorten it, or refer to a "
                                "longer document.")  # fmt: skip
    return problems


def _open_comment(
    inputs_dir: Path, year: int, reviewer: str, number: int, problems: dict[str, str]
) -> tuple[Path, Any, str, Any, Any] | None:
    """The reviewer's file (its path, the round-trip reader, its text, the data) and the
    comment `number` in it; None, with the reason in `problems`, when there is none."""
    path = review_path(inputs_dir, year, reviewer)
    root = Inputs(inputs_dir).root.parent
    if not path.is_file():
        problems["ref"] = (f"There is no review file of reviewer '{reviewer}' in the "
                           f"{year} edition ({shown(path, root)}).")  # fmt: skip
        return None
    yaml = _yaml()
    original = path.read_text(encoding="utf-8")
    try:
        _indent_like(yaml, original)
        data = yaml.load(original)
    except Exception as exc:  # ruamel's many error classes: the file cannot be read
        problems["file"] = (f"The reviewer's file {shown(path, root)} cannot be read "
                            f"as YAML ({type(exc).__name__}); `wgreport comments` "
                            "says where. Nothing was written.")  # fmt: skip
        return None
    item = _find(data, number)
    if item is None:
        problems["ref"] = (f"There is no comment {number} in the file of reviewer "
                           f"'{reviewer}' ({shown(path, root)}).")  # fmt: skip
        return None
    return path, yaml, original, data, item


def _find(data: Any, number: int) -> Any:
    comments = data.get("comments") if isinstance(data, dict) else None
    for item in comments if isinstance(comments, list) else []:
        if isinstance(item, dict) and item.get("id") == number:
            return item
    return None


def _replace(item: Any, status: str, text: str, by: str, at: str) -> dict[str, Any] | None:
    """Put the new answer in `item` (a ruamel mapping: its keys keep their places), the
    earlier one (if any) at the end of its history; the earlier answer."""
    old_status, old_response = str(item.get("status", "open")), item.get("response")
    earlier: dict[str, Any] | None = None
    if old_status != "open" or (isinstance(old_response, str) and old_response.strip()):
        earlier = {}
        for key, name in (("at", "answered_at"), ("by", "answered_by")):
            if item.get(name) is not None:
                earlier[key] = item[name]
        earlier["status"] = old_status
        if isinstance(old_response, str) and old_response.strip():
            earlier["response"] = old_response
    for key, value in (("response", _scalar(text) if text else None), ("status", status),
                       ("answered_at", at), ("answered_by", by)):  # fmt: skip
        _put(item, key, value)
    if earlier is not None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        entry = CommentedMap(earlier)
        history = item.get("history")
        if isinstance(history, list):
            source = _deepest(history[-1]) if history else None
            history.append(entry)
            _carry_trailing_lines(source, entry)
        else:
            _put(item, "history", CommentedSeq([entry]))
    return earlier


def _put(item: Any, key: str, value: Any) -> None:
    """Set (or, with None, remove) `key` where it stands, with the new value's own style
    (ruamel would give a new text the quotes or block style of the one it replaces)."""
    keys = list(item.keys())
    if key not in keys:
        if value is not None:
            source = _deepest(item)
            item[key] = value
            _carry_trailing_lines(source, item)
        return
    place, note = keys.index(key), item.ca.items.get(key)  # a YAML comment on its line
    del item[key]
    if value is not None:
        item.insert(place, key, value)
        if note is not None:
            item.ca.items[key] = note


def _deepest(node: Any) -> tuple[Any, Any] | None:
    """The mapping and key whose line ends `node` (a list's last item, a mapping's last
    key, down to a text), or None."""
    found = None
    while isinstance(node, dict) and node:
        key = list(node.keys())[-1]
        found, node = (node, key), node[key]
        if isinstance(node, list):
            node = node[-1] if node else None
    return found


def _carry_trailing_lines(source: tuple[Any, Any] | None, added: Any) -> None:
    """The full-line YAML comments after `source` (the last line of a mapping, say above
    the next comment) belong after the lines `added` now: they are moved there; a comment
    at the end of the line itself stays on it."""
    target = _deepest(added)
    if source is None or target is None or not hasattr(target[0], "ca"):
        return
    mapping, key = source
    note: Any = mapping.ca.items.get(key) if hasattr(mapping, "ca") else None
    token = note[2] if note and len(note) > 2 else None
    if token is None or not isinstance(getattr(token, "value", None), str):
        return
    own, newline, rest = token.value.partition("\n")
    if not rest.strip():
        return
    tail = copy.copy(token)
    tail.value = "\n" + rest
    if own.strip():
        token.value = own + newline
    else:
        note[2] = None
    target[0].ca.items[target[1]] = [None, None, tail, None]


def _scalar(text: str) -> Any:
    """A response of several lines as a YAML block (`|`), as a person would write it."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    clean = all(line == line.rstrip() for line in text.split("\n"))
    return LiteralScalarString(text) if "\n" in text and clean else text


def _now() -> str:
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _indent_like(yaml: Any, text: str) -> None:
    """Write the file with its own indentation: of its mappings, and of its lists and
    their dashes (ruamel guesses the lists'), so that an answer changes only its lines."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, dash = load_yaml_guess_indent(text)
    mapping = 2
    lines = [x for x in text.splitlines() if x.strip() and not x.lstrip().startswith("#")]
    for key, below in itertools.pairwise(lines):
        nested = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*:\s*(#.*)?", key)
        if nested and below.startswith(" ") and not below.lstrip().startswith("-"):
            mapping = len(below) - len(below.lstrip(" "))
            break
    dash = dash or 0
    yaml.indent(mapping=mapping, sequence=max(indent or 2, dash + 2), offset=dash)


def _errors(report_issues: list[Issue]) -> dict[tuple[str, str], Issue]:
    return {(i.code, i.field): i for i in report_issues if i.severity == "error"}


def _added_errors(
    inputs_dir: Path, outputs_dir: Path, year: int, path: Path, before: str, after: str
) -> list[Issue]:
    """The errors `wgreport comments` would find in `after` that it does not find in
    `before` (an error already in the reviewer's file is not the change's)."""
    wg, _ = load_working_group(Inputs(inputs_dir).working_group)
    drafts = drafts_known(Outputs(outputs_dir).year(year).folder)
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for text in (before, after):
            trial = Path(tmp) / path.name
            trial.write_text(text, encoding="utf-8")
            checked = validate_review(trial, wg, year, drafts, path.name)
            found.append(_errors(checked.report.issues))
    return [issue for key, issue in found[1].items() if key not in found[0]]


def _new_errors(
    inputs_dir: Path, outputs_dir: Path, year: int, path: Path, before: str, after: str
) -> dict[str, str]:
    """The errors the answer adds to the reviewer's file, in words."""
    problems: dict[str, str] = {}
    for issue in _added_errors(inputs_dir, outputs_dir, year, path, before, after):
        where = issue.field.rsplit(".", 1)[-1].split("[")[0]
        name = where if where in _FIELD_WORDS else "file"
        words = _FIELD_WORDS.get(where, "The reviewer's file")
        hint = f" ({issue.hint})" if issue.hint else ""
        problems.setdefault(name, f"{words}: {issue.message}{hint}.")
    return problems


# --- the thread after the answer -----------------------------------------------------------


#: The most replies a comment's thread holds (the model's limit).
MAX_REPLIES = 200


@dataclass
class Replied:
    """What became of a reply: its number in the thread (1 for the first), or `problems`
    (field → what is wrong, in words) when it was refused and nothing was written."""

    ref: str
    path: Path | None = None
    number: int | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def reply_to_comment(
    inputs_dir: Path, outputs_dir: Path, year: int, ref: str, text: str, by: str,
    at: str | None = None,
) -> Replied:  # fmt: skip
    """Append a reply by `by` (the comment's reviewer id, or "secretariat") to comment
    `ref`; nothing is written when it is refused (`Replied.problems`)."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    result = Replied(ref=ref.strip())
    found = parse_ref(ref)
    if found is None:
        result.problems["ref"] = (f"'{ref.strip()[:60]}' is not a comment's reference: "
                                  "write it as `wgreport comments` lists it, e.g. "
                                  "ee-review-team#3.")  # fmt: skip
        return result
    reviewer, number = found
    if by not in (reviewer, SECRETARIAT_AUTHOR):
        result.problems["by"] = (f"A reply to {result.ref} is written by its reviewer "
                                 f"({reviewer}) or the {SECRETARIAT_AUTHOR}, "
                                 f"not '{by[:60]}'.")  # fmt: skip
        return result
    if not body:
        result.problems["reply"] = "Write your reply: the box is empty."
    elif len(body) > COMMENT_CHARS:
        result.problems["reply"] = (f"The reply is {len(body):,} characters long; at most "
                                    f"{COMMENT_CHARS:,} are kept. Shorten it, or split it "
                                    "into several replies.")  # fmt: skip
    if result.problems:
        return result
    opened = _open_comment(inputs_dir, year, reviewer, number, result.problems)
    if opened is None:
        return result
    path, yaml, original, data, item = opened
    result.path = path
    replies = item.get("replies")
    if isinstance(replies, list) and len(replies) >= MAX_REPLIES:
        result.problems["reply"] = (f"The thread of {result.ref} has {len(replies)} replies, "
                                    "the most a comment keeps: start a new comment.")  # fmt: skip
        return result
    result.number = _append(item, {"at": at or _now(), "by": by, "text": _scalar(body)})
    new_text = _dump(yaml, data)
    errors = _reply_errors(inputs_dir, outputs_dir, year, path, original, new_text)
    if errors:
        result.problems, result.number = errors, None
        return result
    _write(path, new_text)
    return result


def _append(item: Any, reply: dict[str, Any]) -> int:
    """Put `reply` at the end of the comment's `replies` (made when it has none); its
    number in the thread."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap(reply)
    replies = item.get("replies")
    if isinstance(replies, list):
        source = _deepest(replies[-1]) if replies else None
        replies.append(entry)
        _carry_trailing_lines(source, entry)
        return len(replies)
    _put(item, "replies", CommentedSeq([entry]))
    return 1


def _reply_errors(
    inputs_dir: Path, outputs_dir: Path, year: int, path: Path, before: str, after: str
) -> dict[str, str]:
    """The errors the reply adds to the reviewer's file, in words: under "reply" those of
    the thread, under "file" any other."""
    problems: dict[str, str] = {}
    for issue in _added_errors(inputs_dir, outputs_dir, year, path, before, after):
        name = "reply" if ".replies[" in issue.field else "file"
        words = "The reply" if name == "reply" else "The reviewer's file"
        hint = f" ({issue.hint})" if issue.hint else ""
        problems.setdefault(name, f"{words}: {issue.message}{hint}.")
    return problems


def _write(path: Path, text: str) -> None:
    """Whole or not at all, with the file's own permissions."""
    mode = path.stat().st_mode & 0o777
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
