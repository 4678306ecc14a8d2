"""What the report and a draft's facts.json hold of the secretariat's editorial text (filled
by content/editorial.py): the key messages and editorial chapters as HTML, every fact as
printed, and each sentence of the editorial text that uses a fact."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class FactRecord(_Frozen):
    """A fact as a draft records it."""

    id: str
    printed: str
    value: str | int | None
    source: str


class EditorialSentence(_Frozen):
    """A sentence of the secretariat's text that uses facts: where it is, as written and as
    printed, and the value printed for each of its references."""

    file: str
    line: int
    written: str
    printed: str
    values: dict[str, str]  # reference key (fact id, figure:ID…) → as printed


class EditorialView(_Frozen):
    """The editorial text rendered, and what the draft records of it."""

    key_messages_title: str = ""
    key_messages_html: str = ""
    chapters: dict[str, str] = {}  # editorial chapter id → HTML
    facts: list[FactRecord] = []
    sentences: list[EditorialSentence] = []

    def record(self) -> dict[str, Any]:
        """facts.json: every fact as printed, and each editorial sentence using facts."""
        return {
            "facts": [f.model_dump() for f in self.facts],
            "sentences": [s.model_dump() for s in self.sentences],
        }
