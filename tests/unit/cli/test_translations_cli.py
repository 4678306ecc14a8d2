"""`wgreport translations status|export|import` (issue 42), through typer's CliRunner on a
copy of the demo inputs: a changed English summary shows as outdated (exit 1); PO export and
import round-trip the demo's translation file byte for byte; an entry whose English changed
since the export is refused and nothing of it written; a contribution is never touched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import copy_inputs
from wgreport.cli.main import app

runner = CliRunner()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path, ("KR", "GB"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["translations", *args])
    return result.exit_code, result.stdout, result.stderr


def change_kr_summary(inputs: Path) -> None:
    path = inputs / "2024" / "contributions" / "KR.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Korea moved several", "Korea moved many", 1), encoding="utf-8")


def undated(po: str) -> list[str]:
    """A PO file's lines but its header's dates."""
    return [line for line in po.splitlines() if "-Date:" not in line]


def contributions_digest(inputs: Path) -> str:
    folder = inputs / "2024" / "contributions"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def test_status_counts_each_part_and_exits_0_when_nothing_is_outdated(inputs: Path) -> None:
    code, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs),
                          "--format", "json")  # fmt: skip
    assert code == 0, out
    status = json.loads(out)
    parts = {p["part"]: p for p in status["parts"]}
    assert list(parts) == ["foreword.md", "key-messages.md", "KR", "GB", "group", "edition"]
    assert parts["KR"]["missing"] == 0 and parts["KR"]["outdated"] == 0
    assert parts["KR"]["translated"] >= 20
    assert parts["GB"]["translated"] == 0 and parts["GB"]["missing"] > 0
    assert parts["foreword.md"]["translated"] == 1
    assert status["totals"]["outdated"] == 0


def test_a_changed_english_summary_shows_as_outdated_in_status(inputs: Path) -> None:
    change_kr_summary(inputs)
    code, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs))
    assert code == 1, out
    kr = next(line for line in out.splitlines() if line.strip().startswith("KR "))
    assert "1 outdated" in kr
    assert "outdated: summary" in out
    assert "wgreport translations export --lang ko" in out
    code, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs),
                          "--format", "json")  # fmt: skip
    kr_row = next(p for p in json.loads(out)["parts"] if p["part"] == "KR")
    assert kr_row["outdated_fields"] == ["summary"]


def test_an_unknown_language_is_a_usage_error(inputs: Path) -> None:
    code, _, err = invoke("status", "--lang", "pt", "--year", "2024", "--inputs", str(inputs))
    assert code == 2
    assert "'pt'" in err and "ko" in err


def test_export_then_import_round_trips_the_translation_file(inputs: Path, tmp_path: Path) -> None:
    translation = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    original = translation.read_bytes()
    po = tmp_path / "kr.po"
    code, out, _ = invoke("export", "--lang", "ko", "--member", "kr", "--year", "2024",
                          "--inputs", str(inputs), "--out", str(po))  # fmt: skip
    assert code == 0, out
    text = po.read_text(encoding="utf-8")
    assert 'msgctxt "KR:summary"' in text and "GB:" not in text
    assert "#, fuzzy" not in text
    before = contributions_digest(inputs)
    translation.unlink()
    code, out, err = invoke("import", str(po), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 0, out + err
    assert translation.read_bytes() == original
    assert contributions_digest(inputs) == before  # never a contribution
    again = tmp_path / "again.po"
    invoke("export", "--lang", "ko", "--member", "KR", "--year", "2024", "--inputs",
           str(inputs), "--out", str(again))  # fmt: skip
    assert undated(again.read_text(encoding="utf-8")) == undated(text)


def test_an_outdated_translation_is_exported_fuzzy_and_not_imported(
    inputs: Path, tmp_path: Path
) -> None:
    change_kr_summary(inputs)
    po = tmp_path / "kr.po"
    invoke("export", "--lang", "ko", "--member", "KR", "--year", "2024", "--inputs",
           str(inputs), "--out", str(po))  # fmt: skip
    text = po.read_text(encoding="utf-8")
    block = text[text.index('msgctxt "KR:summary"') - 40 : text.index('msgctxt "KR:summary"')]
    assert "#, fuzzy" in block
    assert "Korea moved many" in text  # the English as it is now
    translation = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    before = translation.read_bytes()
    code, out, _ = invoke("import", str(po), "--lang", "ko", "--year", "2024", "--inputs",
                          str(inputs))  # fmt: skip
    assert code == 0
    assert "skipped" in out and "KR:summary: fuzzy" in out
    assert translation.read_bytes() == before  # nothing changed: still outdated, reported


def test_an_entry_whose_english_changed_since_the_export_is_refused(
    inputs: Path, tmp_path: Path
) -> None:
    from babel.messages.pofile import read_po, write_po

    po = tmp_path / "kr.po"
    invoke("export", "--lang", "ko", "--member", "KR", "--year", "2024", "--inputs",
           str(inputs), "--out", str(po))  # fmt: skip
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context == "KR:summary":
            message.string = "새 요약입니다."
        if message.context == "KR:initiatives.mobile-id.title":
            message.string = "모바일 신분증 (새 번역)"
    with po.open("wb") as handle:
        write_po(handle, catalog)
    change_kr_summary(inputs)  # the member changes its summary after the export
    before = contributions_digest(inputs)
    code, _out, err = invoke("import", str(po), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 1
    assert "refused" in err and "KR:summary" in err and "English changed" in err
    written = (inputs / "2024" / "translations" / "ko" / "KR.yaml").read_text(encoding="utf-8")
    assert "모바일 신분증 (새 번역)" in written  # the other entries are written
    assert "새 요약입니다." not in written
    assert contributions_digest(inputs) == before
    assert not list((inputs / "2024" / "translations" / "ko").glob(".*"))  # no temporary left


def test_import_writes_a_new_member_file_that_validates(inputs: Path, tmp_path: Path) -> None:
    from babel.messages.pofile import read_po, write_po

    from wgreport.inputs.validate_paths import validate_paths

    po = tmp_path / "gb.po"
    invoke("export", "--lang", "ko", "--member", "GB", "--year", "2024", "--inputs",
           str(inputs), "--out", str(po))  # fmt: skip
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context == "GB:summary":
            message.string = "영국 요약.\n\n둘째 문단: *강조* 와 끝.\n"
    with po.open("wb") as handle:
        write_po(handle, catalog)
    code, out, err = invoke("import", str(po), "--lang", "ko", "--year", "2024",
                            "--inputs", str(inputs))  # fmt: skip
    assert code == 0, out + err
    path = inputs / "2024" / "translations" / "ko" / "GB.yaml"
    report = validate_paths([path], inputs)
    assert report.valid and report.files[0].issues == []
    from wgreport.inputs.translations import load_translation

    model = load_translation(path)
    assert model is not None
    assert model.texts["summary"].text == "영국 요약.\n\n둘째 문단: *강조* 와 끝.\n"


def test_a_translation_file_with_an_error_is_counted_as_the_report_prints_it(
    inputs: Path, tmp_path: Path
) -> None:
    translation = inputs / "2024" / "translations" / "ko" / "KR.yaml"
    text = translation.read_text(encoding="utf-8")
    translation.write_text(text.replace("  summary:", "  sumary:", 1), encoding="utf-8")
    code, out, _ = invoke("status", "--lang", "ko", "--year", "2024", "--inputs", str(inputs))
    assert code == 0, out
    kr = next(line for line in out.splitlines() if line.strip().startswith("KR "))
    assert " 0 translated" in kr  # the build uses none of it
    assert "not read: unknown-translated-field at line 7" in out
    assert "wgreport validate inputs/2024/translations/ko/KR.yaml" in out
    po = tmp_path / "kr.po"
    invoke("export", "--lang", "ko", "--member", "KR", "--year", "2024", "--inputs",
           str(inputs), "--out", str(po))  # fmt: skip
    code, _out, err = invoke("import", str(po), "--lang", "ko", "--year", "2024",
                             "--inputs", str(inputs))  # fmt: skip
    assert code == 1
    assert "has errors (unknown-translated-field at line 7" in err
    assert "sumary" in translation.read_text(encoding="utf-8")  # left as it was


def test_importing_a_file_that_is_not_a_po_file_is_a_usage_error(
    inputs: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.po"
    bad.write_text('garbage "\n', encoding="utf-8")
    before = contributions_digest(inputs)
    code, _, err = invoke("import", str(bad), "--lang", "ko", "--year", "2024", "--inputs",
                          str(inputs))  # fmt: skip
    assert code == 2
    assert "cannot be read as a PO file" in err and "wgreport translations export" in err
    assert contributions_digest(inputs) == before
