"""JSON Schemas of the input file kinds, exported from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .country_validation import CountryValidation
from .models import Contribution, Edition, Review, WorkingGroup
from .translations import TranslationFile

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "working-group-v1.schema.json": WorkingGroup,
    "edition-v1.schema.json": Edition,
    "contribution-v1.schema.json": Contribution,
    "review-v1.schema.json": Review,
    "country-validation-v1.schema.json": CountryValidation,
    "translation-v1.schema.json": TranslationFile,
}


def schema_texts() -> dict[str, str]:
    """File name → JSON Schema text, deterministic (sorted keys, trailing newline)."""
    out = {}
    for name, model in SCHEMA_FILES.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://wgreport.example.org/schemas/{name}"
        out[name] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
