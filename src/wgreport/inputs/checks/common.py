"""Small helpers every check shares: the fields of a contribution, positions, values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard, TypeVar

from pydantic import BaseModel

from ..models import Edition, Indicator, WorkingGroup
from ..yamlsource import FieldPath, Source

M = TypeVar("M", bound=BaseModel)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_LINK_CHARS = 2048
IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".svg": "SVG"}
WORD_LIMITS = {"description": 400, "body": 1500}
SUMMARY_WORDS = (30, 250)
CSV_COLUMNS = ("id", "value", "data_year", "source", "note", "reason_missing")
DECIMAL_COMMA = re.compile(r"[-+]?[0-9]+,[0-9]+")
# A number written as text, with or without a percent sign: "96.79%", "91,2 %", "96.79".
_NUMBER_TEXT = re.compile(r"\s*([-+]?(?:[0-9]+(?:[.,][0-9]+)?|\.[0-9]+))\s*(%?)\s*")


def count_words(text: str) -> int:
    """Words in a Markdown text, as a reader would count them."""
    return len(re.findall(r"[^\s#*_>`|\-]+", text))


def markdown_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, str]]:
    """The Markdown texts of a contribution (summary, descriptions, case study), by path."""
    if isinstance(data.get("summary"), str):
        yield ("summary",), data["summary"]
    for index, item in enumerate(dict_items(data.get("initiatives"))):
        if isinstance(item.get("description"), str):
            yield ("initiatives", index, "description"), item["description"]
    case = data.get("case_study")
    if isinstance(case, dict) and isinstance(case.get("body"), str):
        yield ("case_study", "body"), case["body"]


def url_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, str]]:
    """The URLs of a contribution (the strategy's and the initiatives' links), by path."""
    governance = data.get("governance")
    if isinstance(governance, dict):
        strategy = governance.get("strategy")
        if isinstance(strategy, dict) and isinstance(strategy.get("url"), str):
            yield ("governance", "strategy", "url"), strategy["url"]
    for index, item in enumerate(dict_items(data.get("initiatives"))):
        for link_index, link in enumerate(dict_items(item.get("links"))):
            if isinstance(link.get("url"), str):
                yield ("initiatives", index, "links", link_index, "url"), link["url"]


def image_fields(data: dict[str, Any]) -> Iterable[tuple[FieldPath, dict[str, Any]]]:
    """The `image` mappings of a contribution (initiatives and case study), by path."""
    for index, item in enumerate(dict_items(data.get("initiatives"))):
        if isinstance(item.get("image"), dict):
            yield ("initiatives", index, "image"), item["image"]
    case = data.get("case_study")
    if isinstance(case, dict) and isinstance(case.get("image"), dict):
        yield ("case_study", "image"), case["image"]


def check_unique(source: Source, items: Any, key: str, base: FieldPath, code: str) -> None:
    """Report each `key` of `items` that is used twice, at its second use, as `code`."""
    seen: dict[Any, int] = {}
    for index, item in enumerate(dict_items(items)):
        value = item.get(key)
        if not isinstance(value, str):
            continue
        if value in seen:
            source.add(
                "error",
                code,
                f"'{value}' is used twice (first at item {seen[value] + 1})",
                (*base, index, key),
                hint="each id may appear only once",
            )
        else:
            seen[value] = index


def dict_items(items: Any) -> list[dict[str, Any]]:
    """The items of a list as mappings ({} for an item that is not one; [] for a non-list)."""
    if not isinstance(items, list):
        return []
    return [i if isinstance(i, dict) else {} for i in items]


def text_position(
    source: Source, path: FieldPath, needle: str, skip_lines: int = 0
) -> tuple[int, int] | None:
    """The line and column of `needle` inside a multi-line text value, when findable.

    `skip_lines`: the needle is on that line of the text or later (each line break of a
    text stands for at least one line of the file), so an earlier copy is not mistaken
    for it.
    """
    start_line, start_column = source.locate(path)
    lines = source.text.splitlines()
    if skip_lines and start_line <= len(lines):
        block = lines[start_line - 1][start_column - 1 : start_column] in {"|", ">"}
        skip_lines += block  # a block scalar's text starts on the line after its `|`
    for first in (start_line + skip_lines, start_line) if skip_lines else (start_line,):
        for number in range(first, len(lines) + 1):
            column = lines[number - 1].find(needle)
            if column >= 0:
                return (number, column + 1)
    return None


def date_key(value: Any) -> tuple[int, ...] | None:
    """A date, year-month or year as a sortable tuple (None for anything else)."""
    if hasattr(value, "year") and hasattr(value, "month"):
        return (value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        return tuple(int(p) for p in value.split("-"))
    return None


def show_value(value: Any) -> str:
    """A value as a message shows it (a date in ISO form)."""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def bounds_text(low: float | None, high: float | None) -> str:
    """A range in words: 'a to b', 'at least a' or 'at most b'."""
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def bounds_hint(value: float, indicator: Indicator) -> str:
    """How to write a value outside the bounds; for an index from 0 to 1 written as a
    percentage (96.79), the value it most likely means (0.9679)."""
    if indicator.min == 0 and indicator.max == 1 and 1 < value <= 100:
        return (
            f"did you mean {value / 100:g}? values of '{indicator.title}' run from 0 to 1, "
            "not percentages"
        )
    return f"values of '{indicator.title}' are in {indicator.unit} units"


def number_text_hint(text: str, indicator: Indicator) -> str | None:
    """For an indicator's value written as text ("96.79%", "91.2%", a quoted "96.79"), the
    number it most likely means, as `bounds_hint` gives for the number 96.79; None when the
    text is no number or the plain "remove the quotes" says it all."""
    match = _NUMBER_TEXT.fullmatch(text)
    if match is None:
        return None
    number = float(match[1].replace(",", "."))
    percent = bool(match[2])
    meant = number / 100
    if indicator.min == 0 and indicator.max == 1 and (percent or number > 1) and 0 <= meant <= 1:
        return (
            f"did you mean {meant:g}? values of '{indicator.title}' run from 0 to 1, not "
            f"percentages: write value: {meant:g} (a number, without quotes or a % sign)"
        )
    if percent:
        return (
            f"write value: {number:g} (a number, without quotes or a % sign); values of "
            f"'{indicator.title}' are in {indicator.unit} units"
        )
    return None


def is_number(value: Any) -> TypeGuard[float]:
    """Whether a value is a number (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_int(value: Any) -> TypeGuard[int]:
    """Whether a value is a whole number (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_inside(target: Path, folder: Path) -> bool:
    """Whether `target` resolves to a path inside `folder`."""
    try:
        target.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


@dataclass(frozen=True)
class EditionContext:
    """What a contribution is checked against: the group, its edition and its folder."""

    working_group: WorkingGroup | None
    year: int | None
    edition: Edition | None = None
    contributions_dir: Path | None = None

    def pydantic_context(self) -> dict[str, Any]:
        wg = self.working_group
        if wg is None:
            return {}
        return {
            "members": [m.code for m in wg.members],
            "themes": [t.id for t in wg.themes],
            "indicators": [i.id for i in wg.indicators],
            # for the hint on a value written as text ("96.79%"): the indicator's bounds
            "indicator_catalogue": {i.id: i for i in wg.indicators},
        }


def comma_hint(value: str) -> str:
    """How to write a number with a comma, without guessing what the comma meant."""
    text = value.strip()
    # A thousands separator only where one could be: 1,234 yes, 0,935 no.
    if re.fullmatch(r"[-+]?[1-9][0-9]{0,2}(,[0-9]{3})+", text):
        return (
            f"numbers use a dot as the decimal separator and no thousands separator: "
            f"write {text.replace(',', '.')} if the comma is a decimal mark, "
            f"or {text.replace(',', '')} if it separates thousands"
        )
    return f"numbers use a dot as the decimal separator: write {text.replace(',', '.')}"
