"""Pydantic's errors as issues, at the line and column of the value (or key) that caused
them, in members' words, with "did you mean" hints; and the placeholder check."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from .. import limits
from ..models import (
    PLACEHOLDER,
    PLACEHOLDER_ID,
)
from ..suggest import close_matches, closest, did_you_mean
from ..yamlsource import FieldPath, Source, format_path
from .common import DECIMAL_COMMA, M, comma_hint, number_text_hint

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "list_type": "a list (lines starting with '- ')",
    "date_type": "a date (YYYY-MM-DD)",
}


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[FieldPath, Any]:
    """Map a pydantic error location to the path in the data (dropping union tags)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and isinstance(part, str) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            current = current[part]  # type: ignore[index]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and not _is_union_tag(part):
            path.append(part)  # a missing or unknown key
            current = None
        # else: a union member tag such as "literal['all']" or "list[...]": skip it
    return tuple(path), current


def _is_union_tag(part: str) -> bool:
    return "[" in part or part in {"str", "int", "float", "bool", "date", "function-after"}


def _allowed_keys(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The keys a mapping at `path` may hold, for 'did you mean' on unknown keys."""
    import typing

    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = next(
            (f for n, f in current.model_fields.items() if (f.alias or n) == part),
            None,
        )
        if info is None:
            return []
        current = _inner_model(info.annotation, typing)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _inner_model(annotation: Any, typing: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg, typing)
        if found is not None:
            return found
    return None


def _add_pydantic_errors(
    source: Source,
    exc: ValidationError,
    data: Any,
    model: type[BaseModel],
    skip: set[FieldPath] = frozenset(),  # type: ignore[assignment]
    known: dict[str, Any] | None = None,
) -> None:
    seen: set[tuple[FieldPath, str]] = set()
    # The reader may already have reported the same fault (e.g. a date that does not exist).
    already = {(i.field, i.code) for i in source.issues}
    errors = exc.errors(include_url=False)
    misspelt = _misspelt_required(errors, data)
    for error in errors:
        path, value = _data_path(data, error["loc"])
        if path in skip or (error["type"] == "missing" and path in misspelt):
            continue
        etype: str = error["type"]
        ctx: dict[str, Any] = dict(error.get("ctx") or {})
        code, message, hint, key = _describe(etype, error, ctx, path, value, model)
        if code == "invalid-format" and "A-Z" not in str(ctx.get("pattern", "")):
            hint = _id_hint(str(value), path, known or {}) or hint
        if code == "wrong-type" and isinstance(value, str):
            hint = _value_text_hint(value, path, data, known or {}) or hint
        if (path, code) in seen or (format_path(path), code) in already:
            continue
        seen.add((path, code))
        if etype == "missing":
            source.add("error", code, message, path, hint=hint, at=source.locate_missing(path))
        else:
            source.add("error", code, message, path, hint=hint, key=key)


def _misspelt_required(errors: Sequence[Any], data: Any) -> set[FieldPath]:
    """Required keys that are missing only because they were misspelt: an unknown key
    beside them is a close match (`lead_instituton`). The unknown key's error, with its
    "did you mean", says it all; a second error for the same slip would count it twice."""
    unknown: dict[FieldPath, list[str]] = {}
    missing: list[FieldPath] = []
    for error in errors:
        path, _ = _data_path(data, error["loc"])
        if not path:
            continue
        if error["type"] == "extra_forbidden":
            unknown.setdefault(path[:-1], []).append(str(path[-1]))
        elif error["type"] == "missing":
            missing.append(path)
    return {
        path
        for path in missing
        if close_matches(str(path[-1]), unknown.get(path[:-1], []), n=1, cutoff=0.6)
    }


def _value_text_hint(value: str, path: FieldPath, data: Any, known: dict[str, Any]) -> str | None:
    """For an indicator's value written as text (`96.79%`), the number it most likely
    means, from the catalogue's bounds (`did you mean 0.9679?`)."""
    if len(path) != 3 or path[0] != "indicators" or path[2] != "value":
        return None
    rows = data.get("indicators") if isinstance(data, dict) else None
    row = rows[path[1]] if isinstance(rows, list) and isinstance(path[1], int) else None
    catalogue = known.get("indicator_catalogue") or {}
    indicator = catalogue.get(row.get("id")) if isinstance(row, dict) else None
    return number_text_hint(value, indicator) if indicator is not None else None


def _id_hint(value: str, path: FieldPath, known: dict[str, Any]) -> str | None:
    """For an id that breaks the id rules: the id it most likely means (`egdi_rank`:
    'egdi-rank'), from the catalogue where the field names one."""
    rules = "ids use lowercase letters, digits and dashes"
    normalised = re.sub(r"[\s_]+", "-", value.strip().lower())
    field = str(path[-1]) if path else ""
    catalogue = {
        "id": known.get("indicators") if path[:1] == ("indicators",) else None,
        "theme": known.get("themes"),
    }.get(field)
    if catalogue:
        close = closest(normalised, catalogue)
        if close:
            return f"did you mean '{close}'? {rules}"
    if normalised != value and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", normalised):
        return f"did you mean '{normalised}'? {rules}"
    return None


def _describe(
    etype: str,
    error: Any,
    ctx: dict[str, Any],
    path: FieldPath,
    value: Any,
    model: type[BaseModel],
) -> tuple[str, str, str | None, bool]:
    name = str(path[-1]) if path else "file"
    if etype == "missing":
        return (
            "missing-field",
            f"'{name}' is required here",
            "add it (see the members' guide)",
            True,
        )
    if etype == "extra_forbidden":
        allowed = _allowed_keys(model, path[:-1])
        hint = did_you_mean(name, allowed) if allowed else None
        return "unknown-key", f"'{name}' is not a field here", hint, True
    if etype == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        shown = str(error["input"])[:60]
        hint = did_you_mean(shown, choices) if isinstance(error["input"], str) else None
        if hint is None and choices:
            hint = "expected one of: " + ", ".join(f"'{c}'" for c in choices)
        if path == ("schema",):
            return "wrong-schema", f"'{shown}' is not the expected schema line", hint, False
        return "invalid-choice", f"'{shown}' is not an allowed value for '{name}'", hint, False
    if etype in _TYPE_WORDS:
        return _describe_type(etype, name, value)
    if etype == "finite_number":
        return "wrong-type", f"'{name}' should be a finite number, not {value}", None, False
    if etype == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "A-Z" in pattern:
            hint = did_you_mean(str(value), []) or "two capital letters (ISO 3166-1), e.g. GB"
            return "invalid-format", f"'{value}' is not a member code", hint, False
        return (
            "invalid-format",
            f"'{value}' is not a valid id",
            "use lowercase letters, digits and dashes, e.g. one-stop-benefits",
            False,
        )
    if etype == "string_too_long":
        return _describe_text_length(ctx, path, name, value)
    if etype in {"too_short", "too_long"}:
        return _describe_length(etype, ctx, name, value)
    if etype in _RELATIONS:
        limit = ctx.get("ge", ctx.get("gt", ctx.get("le", ctx.get("lt"))))
        message = f"'{name}' must be {_RELATIONS[etype]} {limit}; found {value}"
        return "out-of-range", message, None, False
    # Our own PydanticCustomError types are already stable issue codes.
    hint = ctx.get("hint")
    if hint is None and "choices" in ctx and isinstance(value, str):
        hint = did_you_mean(value, ctx["choices"])
    return etype, str(error["msg"]), hint, False


# A number written as text ("0.96789"): YAML reads anything in quotes as text.
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")

_RELATIONS = {
    "greater_than_equal": "at least",
    "greater_than": "more than",
    "less_than_equal": "at most",
    "less_than": "less than",
}


def _describe_type(etype: str, name: str, value: Any) -> tuple[str, str, str | None, bool]:
    """A value of the wrong type, in members' words, with how to write it."""
    words = _TYPE_WORDS[etype]
    if isinstance(value, str) and DECIMAL_COMMA.fullmatch(value.strip()):
        return "decimal-comma", f"'{value}' uses a decimal comma", comma_hint(value), False
    if value is None:
        return "wrong-type", f"'{name}' is empty; expected {words}", None, False
    shown = _describe_value(value)
    hint = None
    if "number" in words and isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        hint = f"remove the quotes: write {name}: {value.strip()}"
    elif "number" in words and isinstance(value, str) and value.strip().endswith("%"):
        hint = f"write {name}: as a number, without quotes or a % sign"
    elif etype == "date_type" or "date" in name:
        hint = "write dates as YYYY-MM-DD, e.g. 2025-02-14"
    elif etype in {"dict_type", "model_type"}:
        hint = "indent the fields under this key, each as 'key: value'"
    elif etype == "list_type":
        hint = "write each item on its own line starting with '- '"
    return "wrong-type", f"'{name}' should be {words}, not {shown}", hint, False


def _describe_length(
    etype: str, ctx: dict[str, Any], name: str, value: Any
) -> tuple[str, str, str | None, bool]:
    """Too few or too many items, or a text over its length."""
    actual = ctx.get("actual_length")
    if etype == "too_short":
        limit = ctx.get("min_length")
        return "too-few", f"'{name}' needs at least {limit} item(s), found {actual}", None, False
    limit = ctx.get("max_length")
    if isinstance(value, str):
        return "too-long", f"the text is longer than {limit} characters", "shorten it", False
    return "too-many", f"'{name}' may hold at most {limit} items, found {actual}", None, False


def _describe_text_length(
    ctx: dict[str, Any], path: FieldPath, name: str, value: Any
) -> tuple[str, str, str | None, bool]:
    """A text over its field's maximum length (`text-too-long`), with the limit, the
    text's length and where longer material belongs. (An outcome's 200 characters are
    checked after its blank check, so pydantic reports them as `too_long`: `too-long`.)"""
    limit = int(ctx.get("max_length") or 0)
    actual = len(value) if isinstance(value, str) else 0
    if limit not in limits.TEXT_ELSEWHERE:  # an id (64 characters): format v1's own rule
        return "too-long", f"'{name}' is longer than {limit} characters", "shorten it", False
    message = (
        f"'{name}' has {actual:,} characters; at most {limit:,} are allowed (limit: text length)"
    )
    return "text-too-long", message, limits.text_too_long_hint(limit, actual), False


def _describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    return f"'{value}'"


def validate_model(
    source: Source, model: type[M], context: dict[str, Any] | None = None
) -> M | None:
    """Validate `source.data` against `model`; errors become issues on the source."""
    data = source.data
    if data is None:
        return None
    if not isinstance(data, dict):
        source.add(
            "error",
            "not-a-mapping",
            f"the file should hold a mapping of fields, not {_describe_value(data)}",
            hint="start the file with 'schema: …' and one 'key: value' per line",
        )
        return None
    placeholders = _find_placeholders(source, data, ())
    bidi = _find_bidi_controls(source, data, ())
    try:
        validated = model.model_validate(data, context=context or {})
    except ValidationError as exc:
        _add_pydantic_errors(source, exc, data, model, skip=placeholders, known=context)
        return None
    return None if placeholders or bidi else validated


def _find_bidi_controls(source: Source, value: Any, path: FieldPath) -> bool:
    """Texts holding a bidirectional override or isolate control: one issue per field.
    Such a control reorders the text after it, beyond its field, in the HTML and the PDF."""
    found = False
    if isinstance(value, dict):
        for key, item in value.items():
            found |= _find_bidi_controls(source, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= _find_bidi_controls(source, item, (*path, index))
    elif isinstance(value, str) and (control := limits.bidi_control(value)) is not None:
        found = True
        index, char = control
        name = f"U+{ord(char):04X}"
        source.add(
            "error",
            "bidi-control",
            f"'{format_path(path)}' holds the invisible direction control {name} "
            f"({limits.BIDI_CONTROLS[char]}) at character {index + 1:,}",
            path,
            hint=f"remove the invisible direction control {name}; right-to-left text such "
            "as Hebrew or Arabic needs none, and the marks U+200E and U+200F are allowed",
        )
    return found


def is_placeholder(value: str) -> bool:
    """`TODO` as a word at the start (so 'TODOS CONECTADOS' is real text)."""
    return bool(re.match(rf"\s*{PLACEHOLDER}\b", value)) or value == PLACEHOLDER_ID


def _find_placeholders(source: Source, value: Any, path: FieldPath) -> set[FieldPath]:
    """Values still holding the skeleton's `TODO` text: one clear issue each."""
    found: set[FieldPath] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= _find_placeholders(source, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= _find_placeholders(source, item, (*path, index))
    elif isinstance(value, str) and is_placeholder(value):
        found.add(path)
        source.add(
            "error",
            "not-filled-in",
            f"'{format_path(path)}' still holds the placeholder '{value.strip()[:60]}'",
            path,
            hint="replace the TODO text with the real value",
        )
    return found
