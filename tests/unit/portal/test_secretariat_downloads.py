"""The secretariat's downloads in the portal (issue 37): the members' accepted files as one
zip (exactly those: each member's YAML, indicators CSV and images, nothing else of the
folder), and the newest draft's validation report; each with an audit line."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.goldentree import GOLDEN_TREE
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store


@pytest.fixture
def portal(tmp_path: Path) -> Portal:
    inputs = copy_inputs(tmp_path)
    return Portal(inputs, tmp_path / "outputs", 2024, Store(tmp_path / "portal"),
                  base_url="http://testserver")  # fmt: skip


def _desk(portal: Portal) -> TestClient:
    _, token = portal.store.invite("secretariat", "sec@example.org")
    client = TestClient(make_app(portal), follow_redirects=False)
    assert client.post(f"/signin/{token}").status_code == 303
    return client


def test_the_zip_holds_exactly_the_members_accepted_files(portal: Portal) -> None:
    folder = portal.inputs_dir / "2024" / "contributions"
    expected = {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in folder.rglob("*") if p.is_file()}  # fmt: skip
    assert {"KR.yaml", "DK.indicators.csv", "EE/once-only.svg", "KR/benefits-flow.svg"} <= set(
        expected
    )
    # what is not a member's accepted file: notes, a write cut short, hidden files, a file
    # of no member, and links out of the folder
    (folder / "notes.txt").write_text("call KR on Monday\n", encoding="utf-8")
    (folder / ".KR.yaml.4242.ab12cd34.tmp").write_text("half a file", encoding="utf-8")
    (folder / "KR" / ".DS_Store").write_bytes(b"\0\0")
    (folder / "ZZ.yaml").write_text("schema: x\n", encoding="utf-8")
    secret = portal.store.folder / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("not for the zip", encoding="utf-8")
    os.symlink(secret, folder / "EE" / "link.svg")
    os.symlink(secret.parent, folder / "KR" / "portal")
    response = _desk(portal).get("/secretariat/download/contributions.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="2024-contributions.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        got = {name.removeprefix("2024-contributions/"): archive.read(name)
               for name in archive.namelist()}  # fmt: skip
    assert got == expected
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "download"]
    assert (line["file"], line["files"], line["role"]) == (
        "2024-contributions.zip", len(expected), "secretariat")  # fmt: skip


def test_the_secretariats_page_offers_both_downloads(portal: Portal) -> None:
    shutil.copytree(GOLDEN_TREE / "drafts" / "001", portal.outputs_dir / "2024" / "drafts" / "001")
    page = _desk(portal).get("/secretariat").text
    assert 'href="/secretariat/download/contributions.zip"' in page
    assert re.search(r"\d+ file\(s\) of 10 member\(s\): CA, DK, EE, GB, IL, KR", page)
    assert "The validation report of draft 001" in page


def test_the_validation_report_is_the_newest_drafts(portal: Portal) -> None:
    desk = _desk(portal)
    missing = desk.get("/secretariat/download/validation.json")
    assert missing.status_code == 404 and "No draft has been built yet" in missing.text
    drafts = portal.outputs_dir / "2024" / "drafts"
    for name in ("001", "002", "003"):
        shutil.copytree(GOLDEN_TREE / "drafts" / "001", drafts / name)
    newest = json.loads((drafts / "002" / "validation.json").read_text(encoding="utf-8"))
    (drafts / "002" / "validation.json").write_text(json.dumps({**newest, "draft": "002"}))
    (drafts / "003" / "manifest.json").unlink()  # being written: not published yet
    response = desk.get("/secretariat/download/validation.json")
    assert response.status_code == 200
    assert response.json()["draft"] == "002"
    assert "2024-draft-002-validation.json" in response.headers["content-disposition"]
    (line,) = [x for x in portal.store.audit_lines() if x["action"] == "download"]
    assert (line["file"], line["draft"]) == ("validation.json", "002")
