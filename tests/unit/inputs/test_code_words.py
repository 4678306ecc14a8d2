"""Each validation issue code's meaning goes through the catalogues (issue 42): the table of
inputs/codes.py marks every meaning `N_()` for extraction (the module stays standard library
only), and every shipped language translates each, so the portal can show it in the reader's
language beside the validator's English."""

from __future__ import annotations

import ast

from tests.conftest import ROOT
from tests.support import catalogues
from wgreport import i18n
from wgreport.inputs.codes import ISSUE_CODES

CODES_PY = ROOT / "src" / "wgreport" / "inputs" / "codes.py"


def _table() -> ast.Dict:
    tree = ast.parse(CODES_PY.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "ISSUE_CODES"
            and isinstance(node.value, ast.Dict)
        ):
            return node.value
    raise AssertionError("ISSUE_CODES is not a dict literal in inputs/codes.py")


def test_every_meaning_in_the_code_table_is_marked_for_the_catalogue() -> None:
    table = _table()
    assert len(table.values) == len(ISSUE_CODES)
    unmarked = [
        ast.literal_eval(key)
        for key, value in zip(table.keys, table.values, strict=True)
        if key is not None
        and not (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "N_"
            and len(value.args) == 1
            and isinstance(value.args[0], ast.Constant)
        )
    ]
    assert unmarked == [], 'mark each meaning N_("...") so that babel.cfg extracts it'


def test_every_meaning_is_extracted_from_the_code_table() -> None:
    extracted = catalogues.extract()
    missing = [
        code
        for code, meaning in ISSUE_CODES.items()
        if (found := extracted.get(meaning)) is None
        or not any(path.endswith("inputs/codes.py") for path, _ in found.locations)
    ]
    assert missing == [], "babel.cfg must read src/wgreport/inputs/codes.py"


def test_every_code_has_its_meaning_in_korean() -> None:
    with i18n.language("ko"):
        untranslated = [c for c, m in ISSUE_CODES.items() if i18n.gettext(m) == m]
        hangul = [
            c
            for c, m in ISSUE_CODES.items()
            if not any("\uac00" <= ch <= "\ud7a3" for ch in i18n.gettext(m))
        ]
    assert untranslated == []
    assert hangul == []


def test_a_warning_code_is_a_warning_in_korean_and_code_words_are_kept() -> None:
    with i18n.language("ko"):
        assert i18n.gettext(ISSUE_CODES["late-submission"]).startswith("경고:")
        assert "`schema:`" in i18n.gettext(ISSUE_CODES["wrong-schema"])
        assert "`TODO`" in i18n.gettext(ISSUE_CODES["not-filled-in"])
        assert "`wgreport new`" in i18n.gettext(ISSUE_CODES["not-filled-in"])


def test_the_meanings_are_unchanged_in_english() -> None:
    assert ISSUE_CODES["missing-field"] == "A required field is missing."
    with i18n.language("en"):
        assert i18n.gettext(ISSUE_CODES["missing-field"]) == "A required field is missing."
