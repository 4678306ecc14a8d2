"""YAML syntax errors in members' words, at the line where the problem starts.

The YAML reader reports where it *noticed* a problem, which is often far from the mistake:
an unclosed quote on line 7 is noticed at the end of the file, and `name:Jeong` (no space
after the colon) on the next line. This module turns the reader's error into a sentence a
member can act on, placed where the mistake is (the reader's context mark: where the quote
or bracket opened; or the line with the missing space), and names the position where the
reader noticed it as a second position when the two differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Position = tuple[int, int]

# `name:Jeong`: a key and its value with no space after the colon (YAML then reads the
# whole line as one text). Not `https://…` or a time such as 10:30.
_NO_SPACE_AFTER_COLON = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*):(?=[^\s/])")
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?[\w-]+:(\s|$)")
# A key line's indentation (with a list item's '- ') and its key.
_KEY_AT = re.compile(r"^(\s*(?:-\s+)?)([\w-]+):(?=\s|$)")


@dataclass(frozen=True)
class SyntaxProblem:
    """A syntax error explained: what is wrong, how to fix it, where it starts, and where
    the reader noticed it (None when that is the same line)."""

    message: str
    hint: str
    at: Position
    noticed: Position | None = None

    def full_message(self) -> str:
        if self.noticed is None:
            return self.message
        line, column = self.noticed
        return f"{self.message} (the YAML reader noticed it at line {line}, column {column})"


def _position(mark: Any) -> Position | None:
    if mark is None or getattr(mark, "line", None) is None:
        return None
    return (mark.line + 1, mark.column + 1)


def explain(
    exc: Exception, text: str, events: Callable[[], tuple[Iterable[Any], Any]] | None = None
) -> SyntaxProblem:
    """What the reader's error `exc` means, for the file's `text`. `events`: a fresh parse
    of the text (events and the reader's error types), to find a quoted text that ran on."""
    problem = str(getattr(exc, "problem", None) or exc)
    context = str(getattr(exc, "context", None) or "")
    noticed = _position(getattr(exc, "problem_mark", None)) or (1, 1)
    opened = _position(getattr(exc, "context_mark", None))
    lines = text.splitlines()
    found = _runaway_quote(events, noticed, lines) if events is not None else None
    found = found or _explain(problem, context, noticed, opened, lines)
    if found is None:
        found = SyntaxProblem(
            f"the file cannot be read as YAML here ({problem})",
            "check the indentation and quoting around this position",
            noticed,
        )
    if found.noticed is not None and found.noticed[0] == found.at[0]:
        found = SyntaxProblem(found.message, found.hint, found.at)
    return found


def _explain(
    problem: str, context: str, noticed: Position, opened: Position | None, lines: list[str]
) -> SyntaxProblem | None:
    if "quoted scalar" in context and opened is not None:
        quote = _char_at(lines, opened) or '"'
        return SyntaxProblem(
            f"the quoted text that starts here with {quote} is never closed",
            f"end the text with a second {quote} on the same line (inside the text, write "
            + ("'' for a '" if quote == "'" else '\\" for a "')
            + ")",
            opened,
            noticed,
        )
    if ("flow sequence" in context or "flow mapping" in context) and opened is not None:
        bracket, closing = ("[", "]") if "sequence" in context else ("{", "}")
        return SyntaxProblem(
            f"the '{bracket}' opened here is not closed with '{closing}'",
            f"add the '{closing}' at the end of the list, or, for a text that begins with "
            f"'{bracket}', put the whole value in quotes",
            opened,
            noticed,
        )
    if "mapping values are not allowed" in problem:
        return _colon_problem(noticed, lines)
    if "cannot start any token" in problem:
        shown = _char_at(lines, noticed) or "this character"
        return SyntaxProblem(
            f"a value cannot start with {shown!r} unless it is in quotes",
            f'put the whole value in double quotes, e.g. "{shown}…"',
            noticed,
        )
    if "could not find expected ':'" in problem and opened is not None:
        return SyntaxProblem(
            "this line is not a 'key: value' line: the colon after the key is missing",
            "write the key, a colon and a space, then the value; or, for the next line of a "
            "text, indent it under the text",
            opened,
            noticed,
        )
    if "expected '-' indicator" in problem or ("block collection" in context and "?" in problem):
        return SyntaxProblem(
            "this line is indented like the items of the list above, but it is not an item",
            "start a list item with '- ', or indent the line under its item, or move it out "
            "of the list",
            noticed,
        )
    if "expected <block end>" in problem or "did not find expected key" in problem:
        before = lines[noticed[0] - 1][: noticed[1] - 1] if noticed[0] <= len(lines) else ""
        if before.rstrip().endswith(('"', "'")) and ":" in before:
            return SyntaxProblem(
                "there is more text after a quoted value on this line",
                "put the whole value in the quotes, or remove what follows the closing quote",
                noticed,
            )
        return SyntaxProblem(
            "this line is indented differently from the lines above it in the same block",
            "line up each key with the others of its block, using spaces only",
            noticed,
        )
    return None


def _runaway_quote(
    events: Callable[[], tuple[Iterable[Any], Any]], noticed: Position, lines: list[str]
) -> SyntaxProblem | None:
    """A quote left open (`name: "Jeong`) is closed by the next quote in the file, lines
    later, where the reader then fails: the last value read before the error is a quoted
    text over several lines that ends on the line of the error. Report where it starts."""
    stream, errors = events()
    last = None
    try:
        for event in stream:
            if type(event).__name__ == "ScalarEvent":
                last = event
    except errors:
        pass
    if last is None or getattr(last, "style", None) not in ('"', "'"):
        return None
    start = _position(last.start_mark)
    end = _position(last.end_mark)
    if start is None or end is None or start[0] == end[0] or end[0] != noticed[0]:
        return None
    quote = last.style
    return SyntaxProblem(
        f"the quoted text that starts here with {quote} is not closed on its line: it runs "
        f"on to line {end[0]}, where the next {quote} ends it",
        f"end the text with a second {quote} on the same line (inside the text, write "
        + ("'' for a '" if quote == "'" else '\\" for a "')
        + ")",
        start,
        noticed,
    )


def _colon_problem(noticed: Position, lines: list[str]) -> SyntaxProblem:
    """`mapping values are not allowed`: a `key:value` with no space on a line above (the
    reader joined it with the next line), or a value that contains ': '."""
    line = noticed[0]
    for number in range(line, max(line - 20, 0), -1):
        text = lines[number - 1] if number <= len(lines) else ""
        missing = _NO_SPACE_AFTER_COLON.match(text)
        if missing:
            key = missing[2]
            value = text[missing.end() :].strip()
            return SyntaxProblem(
                f"there is no space after the colon of '{key}:'",
                f"write a space after the colon: '{key}: {value[:40]}'",
                (number, missing.end()),
                noticed,
            )
        if number < line and _KEY_LINE.match(text):
            break
    indented = _indented_too_far(noticed, lines)
    if indented is not None:
        return indented
    return SyntaxProblem(
        "this value contains ': ' (a colon and a space), which YAML reads as a new key",
        'put the whole value in double quotes, e.g. title: "Digital ID: the next step"',
        noticed,
    )


def _indented_too_far(noticed: Position, lines: list[str]) -> SyntaxProblem | None:
    """`    email: …` under `  name: Jeong`: a key line indented deeper than the key line
    above it, whose value it then continues; the reader stops at its colon."""
    line, column = noticed
    here = _KEY_AT.match(lines[line - 1]) if 1 <= line <= len(lines) else None
    if here is None or here.end(2) + 1 != column:
        return None
    above = next(
        (
            (number, lines[number - 1])
            for number in range(line - 1, 0, -1)
            if lines[number - 1].strip() and not lines[number - 1].lstrip().startswith("#")
        ),
        None,
    )
    previous = _KEY_AT.match(above[1]) if above is not None else None
    if above is None or previous is None or previous.start(2) >= here.start(2):
        return None
    key, other, spaces = here[2], previous[2], previous.start(2)
    return SyntaxProblem(
        f"this line is indented more than the line above it ('{other}:' on line "
        f"{above[0]}), so YAML reads '{key}:' as more of the value of '{other}'",
        f"line up '{key}:' with '{other}:' ({spaces} space{'s' if spaces != 1 else ''} from "
        "the left, spaces only); if the line continues the text above, put the whole text "
        "in double quotes",
        (line, here.start(2) + 1),
        noticed,
    )


def _char_at(lines: list[str], at: Position) -> str | None:
    line, column = at
    if 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return None
