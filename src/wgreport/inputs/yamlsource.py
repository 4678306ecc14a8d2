"""Read YAML input files into plain values, remembering where every key and value stands.

The tree is built from ruamel.yaml's parse events rather than its constructor, so that:
- every key and value keeps its 1-based line and column (pydantic errors map back to them);
- anchors, aliases, merge keys, custom tags and duplicate keys become issues instead of
  being expanded or silently resolved (an alias bomb is never expanded);
- scalars resolve by the YAML 1.2 core schema plus `YYYY-MM-DD` dates, nothing else
  (`no` stays a string, `2023-03` stays a string, `0,95` stays a string).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .issues import Issue
from .yamlsyntax import explain as explain_syntax

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32

FieldPath = tuple[str | int, ...]
Position = tuple[int, int]

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def format_path(path: FieldPath) -> str:
    """Render a field path as the spec's dotted form: `initiatives[2].theme`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class Source:
    """One input file: its plain data, the position of each key and value, and its issues."""

    path: Path
    display: str
    data: Any = None
    values: dict[FieldPath, Position] = field(default_factory=dict)
    keys: dict[FieldPath, Position] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    text: str = ""
    _said: set[Issue] = field(default_factory=set, repr=False, compare=False)

    def locate(self, path: FieldPath, *, key: bool = False) -> Position:
        """Where a field stands: its value (or its key), else the nearest enclosing field."""
        if key and path in self.keys:
            return self.keys[path]
        probe = path
        while True:
            if probe in self.values:
                return self.values[probe]
            if probe in self.keys:
                return self.keys[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def locate_missing(self, path: FieldPath) -> Position:
        """Where a missing field belongs: at its parent's key, or the file's first line."""
        parent = path[:-1]
        if not parent:
            return (1, 1)
        if parent in self.keys:
            return self.keys[parent]
        return self.locate(parent)

    def add(
        self,
        severity: str,
        code: str,
        message: str,
        path: FieldPath = (),
        *,
        hint: str | None = None,
        at: Position | None = None,
        key: bool = False,
        noticed: Position | None = None,
    ) -> None:
        line, column = at if at is not None else self.locate(path, key=key)
        issue = Issue(
            severity="error" if severity == "error" else "warning",
            code=code,
            message=message,
            field=format_path(path),
            line=line,
            column=column,
            hint=hint,
            noticed_line=noticed[0] if noticed else None,
            noticed_column=noticed[1] if noticed else None,
        )
        # Two checks may find the same fault; say it once. A set, not `in self.issues`:
        # a hostile file can hold a hundred thousand faults.
        if issue not in self._said:
            self._said.add(issue)
            self.issues.append(issue)


def read_text(source: Source, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Read a file as strict UTF-8 (a BOM is accepted with a warning). None if unreadable."""
    try:
        size = source.path.stat().st_size
    except OSError as exc:
        source.add("error", "file-unreadable", f"cannot read the file: {exc.strerror}")
        return None
    if size > max_bytes:
        source.add(
            "error",
            "file-too-large",
            f"the file is {size:,} bytes; input files may be at most {max_bytes:,} bytes",
            hint="move long text into fewer words, or split images out into image files",
        )
        return None
    try:
        raw = source.path.read_bytes()
    except OSError as exc:
        source.add("error", "file-unreadable", f"cannot read the file: {exc.strerror}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        source.add(
            "warning",
            "utf8-bom",
            "the file starts with a byte-order mark",
            hint="save the file as UTF-8 without BOM",
            at=(1, 1),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        source.add(
            "error",
            "not-utf8",
            f"byte 0x{raw[exc.start]:02x} on line {line} is not valid UTF-8",
            hint="save the file with UTF-8 encoding (in most editors: Save As… → Encoding: UTF-8)",
            at=(line, column),
        )
        return None
    source.text = text
    return text


def load_yaml(path: Path, display: str | None = None) -> Source:
    """Read and parse one YAML file. Problems become issues on the returned source."""
    source = Source(path=path, display=display or str(path))
    text = read_text(source)
    if text is None:
        return source
    parse_yaml_text(source, text)
    return source


def _event_stream(text: str) -> tuple[Iterator[Any], tuple[type[Exception], ...]]:
    """Parse events and the errors they raise: libyaml's C parser when PyYAML has it, else
    ruamel.yaml's pure parser. Both give the same events; libyaml is about 30 times faster."""
    if os.environ.get("WGREPORT_YAML_PARSER", "") != "ruamel":
        try:
            import yaml

            if yaml.__with_libyaml__:
                loader: Any = yaml.CSafeLoader
                return yaml.parse(text, Loader=loader), (yaml.YAMLError,)
        except ImportError:  # pragma: no cover - PyYAML is a dependency of Prefect
            pass
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    return YAML(typ="safe", pure=True).parse(text), (YAMLError,)


def parse_yaml_text(source: Source, text: str) -> None:
    """Parse YAML text into `source.data`, `source.values` and `source.keys`."""
    tab_lines = _check_tabs(source, text)
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        source.add("error", "empty-file", "the file is empty", hint="start from `wgreport new`")
        return
    events, errors = _event_stream(text)
    builder = _Builder(source, text)
    try:
        builder.run(events)
    except _TooDeep as exc:
        source.add(
            "error",
            "too-deep",
            f"the data is nested more than {MAX_DEPTH} levels deep",
            at=exc.at,
        )
        source.data = None
    except errors as exc:
        source.data = None
        explained = explain_syntax(exc, text, lambda: _event_stream(text))
        if explained.at[0] in tab_lines or (explained.noticed or (0,))[0] in tab_lines:
            return  # the tab issue already names this line and says what to do
        source.add(
            "error",
            "yaml-syntax",
            explained.full_message(),
            hint=explained.hint,
            at=explained.at,
            noticed=explained.noticed,
        )


def _check_tabs(source: Source, text: str) -> set[int]:
    lines: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            lines.add(number)
            source.add(
                "error",
                "tab-indentation",
                "a tab is used for indentation; YAML allows only spaces",
                hint="replace the tab with spaces (set your editor to insert spaces)",
                at=(number, indent.index("\t") + 1),
            )
    return lines


class _TooDeep(Exception):
    def __init__(self, at: Position) -> None:
        self.at = at


class _Builder:
    """Turns a parse-event stream into plain values with positions and issues."""

    def __init__(self, source: Source, text: str = "") -> None:
        self.source = source
        self.text = text
        self._lines: list[str] | None = None

    def run(self, events: Iterator[Any]) -> None:
        self.events = events
        documents = 0
        for event in events:
            kind = type(event).__name__
            if kind == "DocumentStartEvent":
                documents += 1
                value = self._node(next(events), (), 0)
                if documents == 1:
                    self.source.data = value
                else:
                    self.source.add(
                        "error",
                        "yaml-multiple-documents",
                        "the file holds more than one YAML document",
                        hint="remove the '---' line and everything after it",
                        at=_pos(event),
                    )
            elif kind == "StreamEndEvent":
                break

    def _check_node(self, event: Any, path: FieldPath) -> None:
        if getattr(event, "anchor", None):
            self.source.add(
                "error",
                "yaml-anchor",
                f"YAML anchors (&{event.anchor}) are not allowed",
                path,
                hint="write the value out in full",
                at=_pos(event),
            )
        tag = getattr(event, "tag", None)
        if tag and _expand_tag(tag) not in _CORE_TAGS:
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            self.source.add(
                "error",
                "yaml-tag",
                f"YAML tags ({shown}) are not allowed",
                path,
                hint="remove the tag and write a plain value",
                at=_pos(event),
            )

    def _node(self, event: Any, path: FieldPath, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _TooDeep(_pos(event))
        self.source.values[path] = _pos(event)
        kind = type(event).__name__
        if kind == "AliasEvent":
            self.source.add(
                "error",
                "yaml-alias",
                f"YAML aliases (*{event.anchor}) are not allowed",
                path,
                hint="write the value out in full instead of referring to an anchor",
                at=_pos(event),
            )
            return None
        self._check_node(event, path)
        if kind == "ScalarEvent":
            return self._scalar(event, path)
        if kind == "SequenceStartEvent":
            items: list[Any] = []
            for nxt in self.events:
                if type(nxt).__name__ == "SequenceEndEvent":
                    break
                items.append(self._node(nxt, (*path, len(items)), depth + 1))
            return items
        if kind == "MappingStartEvent":
            return self._mapping(path, depth)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def _mapping(self, path: FieldPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_event in self.events:
            kind = type(key_event).__name__
            if kind == "MappingEndEvent":
                break
            if kind != "ScalarEvent":
                # A complex key (mapping or sequence): skip it and its value.
                self._node(key_event, (*path, "?"), depth + 1)
                self.source.add(
                    "error",
                    "yaml-complex-key",
                    "keys must be plain names",
                    path,
                    at=_pos(key_event),
                )
                self._node(next(self.events), (*path, "?"), depth + 1)
                continue
            key = key_event.value
            child = (*path, key)
            key_pos = _pos(key_event)
            value_event = next(self.events)
            if key == "<<" and not key_event.style:
                self.source.add(
                    "error",
                    "yaml-merge-key",
                    "YAML merge keys (<<) are not allowed",
                    path,
                    hint="write the keys out in full",
                    at=key_pos,
                )
                self._node(value_event, (*path, "<<"), depth + 1)
                continue
            if key in out:
                first = self.source.keys[child]
                saved_value = self.source.values.get(child)
                self.source.add(
                    "error",
                    "duplicate-key",
                    f"'{key}' appears twice in this mapping (first on line {first[0]})",
                    child,
                    hint="keep one of them and remove the other",
                    at=key_pos,
                )
                self._node(value_event, (*path, f"{key} (duplicate)"), depth + 1)
                if saved_value is not None:
                    self.source.values[child] = saved_value
                continue
            self.source.keys[child] = key_pos
            out[key] = self._node(value_event, child, depth + 1)
        return out

    def _scalar(self, event: Any, path: FieldPath) -> Any:
        value: str = event.value
        tag = _expand_tag(event.tag) if event.tag else None
        if tag == "tag:yaml.org,2002:str" or event.style:
            return value
        if tag is not None and tag not in _CORE_TAGS:
            return value
        resolved = resolve_plain_scalar(value, self.source, path, _pos(event))
        if isinstance(resolved, str) and path:
            self._check_cut_by_comment(event, path, resolved)
        return resolved

    def _check_cut_by_comment(self, event: Any, path: FieldPath, value: str) -> None:
        """A plain text followed on its line by ` #…` (`title: Mobile ID #2`): YAML reads
        the rest as a comment and keeps only `Mobile ID`. One space before the `#` is how
        text is written; a comment after a value has two or more (the skeleton's)."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        mark = event.end_mark
        if not 0 <= mark.line < len(self._lines):
            return
        rest = self._lines[mark.line][mark.column :]
        if not rest.startswith(" #"):
            return
        comment = rest[1:].rstrip()
        key = next((str(p) for p in reversed(path) if isinstance(p, str)), "value")
        lead = f"{key}: " if isinstance(path[-1], str) else "- "
        whole = f"{value} {comment}".replace("\\", "\\\\").replace('"', '\\"')
        self.source.add(
            "warning",
            "comment-in-text",
            f"the text is cut at ' #': YAML reads '{comment[:40]}' as a comment, so "
            f"'{format_path(path)}' is only '{value[:60]}'",
            path,
            hint=f'if "{comment[:40]}" is part of the text, put the whole value in double '
            f'quotes: {lead}"{whole[:80]}"; a comment after a value needs two spaces before '
            "the #",
            at=(mark.line + 1, mark.column + 2),
        )


def resolve_plain_scalar(
    value: str, source: Source | None = None, path: FieldPath = (), at: Position | None = None
) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema, plus ISO dates."""
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _INT_OCT.fullmatch(value):
        return int(value[2:], 8)
    if _INT_HEX.fullmatch(value):
        return int(value[2:], 16)
    if _FLOAT.fullmatch(value):
        return float(value)
    if _INF.fullmatch(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.fullmatch(value):
        return float("nan")
    match = _DATE.fullmatch(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            if source is not None:
                source.add(
                    "error",
                    "invalid-date",
                    f"'{value}' is not a real calendar date",
                    path,
                    hint="write a date that exists, as YYYY-MM-DD",
                    at=at,
                )
            return value
    return value


def _expand_tag(tag: Any) -> str:
    text = str(tag)
    if text.startswith("!!"):
        return "tag:yaml.org,2002:" + text[2:]
    return text


def _pos(event: Any) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)
