"""Indicator values from `<CODE>.indicators.csv`: strict CSV, a dot as the decimal
separator, each cell at its row and column."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..models import (
    Contribution,
    IndicatorValue,
)
from ..suggest import did_you_mean
from ..yamlsource import FieldPath, Source, read_text
from .common import CSV_COLUMNS, DECIMAL_COMMA, EditionContext, comma_hint, is_inside
from .pydantic_issues import validate_model


def _column_offset(line: str, column_index: int) -> int:
    return sum(len(p) + 1 for p in line.split(",")[:column_index]) + 1


def load_indicator_csv(
    source: Source, name: str, contributions_dir: Path, ctx: EditionContext
) -> tuple[Source | None, list[dict[str, Any]] | None]:
    """The CSV named by `indicators_file`: its source and rows (None where it cannot be
    read; each problem is reported on `source` or the CSV's source)."""
    relative = Path(name)
    target = contributions_dir / relative
    if relative.is_absolute() or ".." in relative.parts or not is_inside(target, contributions_dir):
        source.add(
            "error",
            "indicators-file-outside",
            f"'{name}' must be a file in contributions/",
            ("indicators_file",),
        )
        return None, None
    if relative.suffix.lower() != ".csv" or not target.is_file():
        source.add(
            "error",
            "file-not-found",
            f"the indicators file '{name}' does not exist (a .csv file is expected)",
            ("indicators_file",),
        )
        return None, None
    display = str(Path(source.display).parent / relative)
    csv_source = Source(path=target, display=display)
    text = read_text(csv_source)
    if text is None:
        return csv_source, None
    rows = parse_indicator_csv(csv_source, text)
    return csv_source, rows


def parse_indicator_csv(source: Source, text: str) -> list[dict[str, Any]] | None:
    """Parse an indicators CSV into rows shaped like the YAML `indicators` list."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        source.add("error", "empty-file", "the CSV file is empty", at=(1, 1))
        return None
    header_line = lines[0]
    if ";" in header_line and "," not in header_line:
        source.add(
            "error",
            "csv-semicolon",
            "the CSV uses ';' as separator",
            hint="save it with ',' as the separator and '.' as the decimal mark",
            at=(1, header_line.index(";") + 1),
        )
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    ok = True
    for col, name in enumerate(header):
        if name not in CSV_COLUMNS:
            ok = False
            source.add(
                "error",
                "unknown-key",
                f"unknown column '{name}'",
                hint=did_you_mean(name, CSV_COLUMNS),
                at=(1, _column_offset(header_line, col)),
            )
    for required in ("id", "value"):
        if required not in header:
            ok = False
            source.add("error", "missing-field", f"the column '{required}' is missing", at=(1, 1))
    if not ok:
        return None
    rows: list[dict[str, Any]] = []
    line = 1
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        index = len(rows)
        path: FieldPath = ("indicators", index)
        source.values[path] = (line, 1)
        if len(record) != len(header):
            source.add(
                "error",
                "csv-columns",
                f"the row has {len(record)} fields; the header has {len(header)}",
                path,
                hint="quote values that contain commas",
            )
            continue
        row: dict[str, Any] = {}
        offset = 1
        for name, cell in zip(header, record, strict=True):
            source.values[(*path, name)] = (line, offset)
            offset += len(cell) + 1
            row[name] = _csv_cell(source, (*path, name), name, cell.strip())
        rows.append({k: v for k, v in row.items() if v is not None or k == "value"})
    return rows


def _csv_cell(source: Source, path: FieldPath, name: str, cell: str) -> Any:
    if cell == "":
        return None
    if name in {"value", "data_year"}:
        if DECIMAL_COMMA.fullmatch(cell):
            source.add(
                "error",
                "decimal-comma",
                f"'{cell}' uses a decimal comma",
                path,
                hint=comma_hint(cell),
            )
            return cell
        try:
            number = float(cell) if name == "value" else int(cell)
        except ValueError:
            return cell  # reported as a wrong type by the model
        return number
    return cell


class _IndicatorRows(BaseModel):
    """The rows of an indicators CSV, validated like the YAML `indicators` list."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    indicators: list[IndicatorValue]


def with_csv_indicators(
    model: Contribution | None, csv_source: Source, ctx: EditionContext
) -> Contribution | None:
    """The contribution with the CSV's indicator values (None when either is invalid)."""
    rows = validate_model(csv_source, _IndicatorRows, ctx.pydantic_context())
    if model is None or rows is None:
        return None
    return model.model_copy(update={"indicators": rows.indicators})
