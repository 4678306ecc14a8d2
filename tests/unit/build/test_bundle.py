"""`wgreport publish`: the public bundle of a final, made here from a small final folder
written by the real publishing code (tests/e2e/test_bundle_demo.py publishes the demo's)."""

from __future__ import annotations

import errno
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from wgreport.build import bundle
from wgreport.build.bundle import dangling_links, publish_bundle, rewrite_links
from wgreport.build.publish import publish_final, sha256_bytes, verify_folder
from wgreport.cli.main import app
from wgreport.errors import PublishError
from wgreport.layout import Inputs, Outputs

REVIEWER = "Aino Example"  # tests/fixtures/reviews/valid/ee-review-team.yaml
REVIEWER_EMAIL = "review@example.org"
BROKEN_REVIEWER = "Rita Brokenfile"
BROKEN_EMAIL = "rita@example.net"
PUBLIC_FILES = [
    "LICENCE.txt",
    "SHA256SUMS",
    "data/README.txt",
    "data/indicators.csv",
    "data/themes.csv",
    "index.html",
    "report.html",
    "report.pdf",
]

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Report</title></head><body>
<div class="downloads screen-only"><ul>\
<li><a href="report.pdf">report.pdf</a>: This report as PDF</li>\
<li><a href="data/indicators.csv">data/indicators.csv</a>: Indicator values</li>\
<li><a href="data/themes.csv">data/themes.csv</a>: Initiatives by theme and member</li>\
<li><a href="report.json">report.json</a>: The full report context</li>\
<li><a href="comments.html">comments.html</a>: Reviewers&#39; comments</li>\
<li><a href="comments.csv">comments.csv</a>: The same table as CSV</li></ul></div>
<p>See <a href="comments.html#c1">the <em>comment table</em></a> and
<a href="../final/data/indicators.csv">the values</a>, <a href="drafts/002/report.pdf">draft 2</a>,
<a class="ext" href="https://www.example.gov.uk/digital-roadmap">a roadmap</a>,
<a href="#annex-b">annex B</a>.</p>
{extra}
</body></html>
"""


def pdf_bytes(subject: str = "Annual Report 2024") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "Report 2024", "/Subject": subject})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def context(**front: str) -> dict[str, object]:
    return {
        "year": 2024,
        "title": "Agile and Active Digital Governance",
        "subtitle": "Annual Report 2024",
        "group_name": "Digital Nations Digital Governance Working Group",
        "front": {
            "date_line": "Published 31 March 2025.",
            "copyright": "© Digital Nations Digital Governance Working Group 2025",
            "licence": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "licence_url": "https://creativecommons.org/licenses/by/4.0/",
            "citation": "Digital Nations (2025), Agile and Active Digital Governance.",
            "signatory": "Seo-yeon Example",
            **front,
        },
        "downloads": [
            {"href": "report.pdf", "title": "This report as PDF"},
            {"href": "data/indicators.csv", "title": "Indicator values"},
            {"href": "data/themes.csv", "title": "Initiatives by theme and member"},
        ],
        "members": [{"code": "KR", "name": "Republic of Korea"}],
        "contributors": [{"member": "Republic of Korea", "contact": "Jeong Da-eun"}],
        "definitions": [
            {
                "id": "egdi",
                "title": "EGDI",
                "unit": "index",
                "bounds": "0 to 1",
                "definition": "Weighted average",
                "source": "UN DESA",
            }
        ],
        "method": {
            "sources": [
                {
                    "title": "UN DESA, E-Government Survey",
                    "edition": "2024",
                    "indicators": "EGDI",
                    "url": "",
                    "accessed": "20 January 2025",
                }
            ]
        },
    }


def make_final(
    root: Path,
    *,
    extra: str = "",
    pdf: bytes | None = None,
    report: dict[str, object] | None = None,
) -> tuple[Path, Path]:
    """inputs/ with two review files (one unreadable) and outputs/2024/final/ written by
    publish_final, holding the comments of those reviewers as a real final does."""
    inputs, outputs = root / "inputs", root / "outputs"
    reviews = Inputs(inputs).edition(2024).reviews
    reviews.mkdir(parents=True)
    shutil.copy(FIXTURES / "reviews" / "valid" / "ee-review-team.yaml", reviews)
    Inputs(inputs).edition(2024).review("xx-broken").write_text(
        f"schema: wgreport/review/v1\nreviewer:\n  name: {BROKEN_REVIEWER}\n"
        f"  email: {BROKEN_EMAIL}\ncomments: [unclosed\n",
        encoding="utf-8",
    )
    files = {
        "report.html": PAGE.format(extra=extra).encode(),
        "report.pdf": pdf or pdf_bytes(),
        "data/indicators.csv": b"member,indicator,value,data_year\nKR,egdi,0.97,2024\n",
        "data/themes.csv": b"theme,KR,GB\nagile-governance,1,0\n",
        "report.json": json.dumps(report or context()).encode(),
        "comments.html": f"<p>{REVIEWER} ({REVIEWER_EMAIL}): typo</p>".encode(),
        "comments.csv": f"reviewer,comment\n{REVIEWER},typo\n".encode(),
        "validation.json": b'{"files": []}\n',
    }
    publish_final(outputs, 2024, files, {"year": 2024, "built_at": "2025-03-15T09:00:00Z",
                                         "pages": 1})  # fmt: skip
    return inputs, outputs


def every_file(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_bundle_holds_the_public_files_and_none_of_the_internal_ones(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    final = Outputs(outputs).year(2024).final
    made = publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    assert made.files == PUBLIC_FILES == every_file(tmp_path / "public")
    for name in ("report.pdf", "data/indicators.csv", "data/themes.csv"):  # as built
        assert (tmp_path / "public" / name).read_bytes() == final.file(name).read_bytes()
    assert verify_folder(tmp_path / "public") == [
        (n, "OK") for n in PUBLIC_FILES if n != "SHA256SUMS"
    ]


def test_no_reviewer_name_address_or_comment_is_in_the_bundle(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    final = Outputs(outputs).year(2024).final.folder
    assert REVIEWER.encode() in (final / "comments.html").read_bytes()  # the final has them
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    text = b"".join(p.read_bytes() for p in (tmp_path / "public").rglob("*") if p.is_file())
    for secret in (REVIEWER, REVIEWER_EMAIL, BROKEN_REVIEWER, BROKEN_EMAIL, "typo", "comments."):
        assert secret.encode() not in text, secret


@pytest.mark.parametrize(
    ("extra", "pdf", "found"),
    [
        (f"<p>Thanks to {REVIEWER}.</p>", None, f"report.html holds the name '{REVIEWER}'"),
        ("<p>Write to REVIEW@example.org</p>", None, f"the address '{REVIEWER_EMAIL}'"),
        (f"<p>{BROKEN_REVIEWER}</p>", None, f"the name '{BROKEN_REVIEWER}'"),  # unreadable file
        ("<p>Aino O&#39;Example</p>", None, None),  # another name: published
        ("", pdf_bytes(f"Reviewed by {REVIEWER}"), "report.pdf holds the name"),
    ],
)
def test_a_reviewer_named_in_the_bundle_stops_it_and_nothing_is_written(
    tmp_path: Path, extra: str, pdf: bytes | None, found: str | None
) -> None:
    inputs, outputs = make_final(tmp_path, extra=extra, pdf=pdf)
    out = tmp_path / "public"
    if found is None:
        publish_bundle(inputs, outputs, 2024, out)
        return
    with pytest.raises(PublishError, match="nothing was written") as refused:
        publish_bundle(inputs, outputs, 2024, out)
    assert found in str(refused.value) and "inputs/2024/reviews/" in str(refused.value)
    assert not out.exists() and list(tmp_path.glob(".public*")) == []
    assert not Outputs(outputs).year(2024).publications.exists()


def test_a_reviewer_who_is_also_a_member_contact_may_appear_as_the_contact(tmp_path: Path) -> None:
    report = context()
    report["contributors"] = [{"member": "Estonia", "contact": REVIEWER}]
    inputs, outputs = make_final(tmp_path, extra=f"<p>Estonia: {REVIEWER}</p>", report=report)
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    assert REVIEWER in (tmp_path / "public" / "report.html").read_text(encoding="utf-8")


def test_the_page_links_only_to_files_of_the_bundle(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    page = (tmp_path / "public" / "report.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs == [
        "report.pdf", "data/indicators.csv", "data/themes.csv",  # the downloads kept
        "data/indicators.csv",  # ../final/data/indicators.csv, made relative to the bundle
        "https://www.example.gov.uk/digital-roadmap", "#annex-b",
    ]  # fmt: skip
    assert "See the <em>comment table</em> and" in page  # the link removed, its text kept
    assert ", draft 2,\n" in page
    for name in ("report.html", "index.html"):
        text = (tmp_path / "public" / name).read_text(encoding="utf-8")
        assert dangling_links(text, every_file(tmp_path / "public")) == []


def test_rewrite_and_dangling_links() -> None:
    present = ["report.pdf", "data/x.csv"]
    page = (
        '<a href="/2024/final/report.pdf">pdf</a> <a href="outputs/2024/final/data/x.csv">x</a> '
        '<a href="data/x.csv#row">y</a> <a href="latest/report.pdf">draft</a>'
    )
    assert rewrite_links(page, present, 2024) == (
        '<a href="report.pdf">pdf</a> <a href="data/x.csv">x</a> '
        '<a href="data/x.csv#row">y</a> draft'
    )
    assert dangling_links(page, present) == [
        "/2024/final/report.pdf", "outputs/2024/final/data/x.csv", "latest/report.pdf",
    ]  # fmt: skip
    assert dangling_links('<img src="../report.pdf"><a href="mailto:a@b.org">m</a>', present) == [
        "../report.pdf"
    ]


def test_landing_page_readme_and_licence(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    public = tmp_path / "public"
    index = (public / "index.html").read_text(encoding="utf-8")
    for expected in ("<title>Agile and Active Digital Governance — Annual Report 2024</title>",
                     "Edition 2024", "Published 31 March 2025.", 'href="report.pdf"',
                     'href="report.html"', 'href="data/README.txt"', 'href="data/themes.csv"',
                     'href="LICENCE.txt"', 'href="SHA256SUMS"',
                     sha256_bytes((public / "report.pdf").read_bytes())):  # fmt: skip
        assert expected in index
    assert not re.search(r"\bsrc=|<link|<script|@import|url\(", index)  # nothing to fetch
    readme = (public / "data" / "README.txt").read_text(encoding="utf-8-sig")
    assert "indicators.csv: Indicator values (1 row)" in readme
    assert "  data_year: the year the value refers to" in readme
    assert "  GB: how many initiatives member GB reports under the theme" in readme
    assert "UN DESA, E-Government Survey, edition 2024, for EGDI" in readme
    assert "  KR: Republic of Korea" in readme and "../LICENCE.txt" in readme
    licence = " ".join((public / "LICENCE.txt").read_text(encoding="utf-8-sig").split())
    assert "(CC BY 4.0) licence, https://creativecommons.org/licenses/by/4.0/." in licence
    assert "Creative Commons Attribution 4.0 International Public License" in licence


def test_another_licence_is_named_with_its_address(tmp_path: Path) -> None:
    report = context(licence="Open Government Licence v3.0", licence_url="https://example.org/ogl")
    inputs, outputs = make_final(tmp_path, report=report)
    publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    licence = " ".join(
        (tmp_path / "public" / "LICENCE.txt").read_text(encoding="utf-8-sig").split()
    )
    assert "Open Government Licence v3.0 licence, https://example.org/ogl." in licence
    assert "The text of the licence is at https://example.org/ogl." in licence
    assert "Creative Commons" not in licence


def test_each_bundle_is_recorded_in_publications_jsonl(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    final = Outputs(outputs).year(2024).final
    publish_bundle(inputs, outputs, 2024, tmp_path / "a")
    made = publish_bundle(inputs, outputs, 2024, tmp_path / "b")
    lines = Outputs(outputs).year(2024).publications.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["out"] for r in records] == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert records[1] == made.record
    assert set(made.record) == {"at", "out", "sums_sha256", "final_manifest_sha256"}
    assert made.record["sums_sha256"] == sha256_bytes((tmp_path / "b" / "SHA256SUMS").read_bytes())
    assert made.record["final_manifest_sha256"] == sha256_bytes(final.manifest.read_bytes())


def test_refused_without_a_final(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match=r"no final of 2024.*wgreport build --final --year 2024"):
        publish_bundle(tmp_path / "inputs", tmp_path / "outputs", 2024, tmp_path / "public")
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "public").exists()


def test_refused_when_the_final_fails_its_own_sums(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    final = Outputs(outputs).year(2024).final
    final.file("data/indicators.csv").write_bytes(b"member,value\nKR,0.99\n")
    (final.folder / "notes.txt").write_text("added", encoding="utf-8")
    with pytest.raises(PublishError) as refused:
        publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    message = str(refused.value)
    assert "does not match its own SHA256SUMS" in message
    assert "data/indicators.csv: FAILED" in message and "notes.txt: not listed" in message
    assert "--supersede" in message
    assert not (tmp_path / "public").exists()


def test_a_folder_that_is_not_empty_is_refused_and_force_replaces_only_a_bundle(
    tmp_path: Path,
) -> None:
    inputs, outputs = make_final(tmp_path)
    out = tmp_path / "public"
    (tmp_path / "empty").mkdir()
    publish_bundle(inputs, outputs, 2024, tmp_path / "empty")  # an empty folder is filled
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(PublishError, match=r"exists and is not empty.*--force"):
        publish_bundle(inputs, outputs, 2024, out)
    with pytest.raises(PublishError, match=r"not an earlier bundle \(it has no SHA256SUMS"):
        publish_bundle(inputs, outputs, 2024, out, force=True)
    assert every_file(out) == ["notes.txt"]
    shutil.rmtree(out)
    publish_bundle(inputs, outputs, 2024, out)
    (out / "report.pdf").write_bytes(b"edited")  # an earlier bundle, changed: replaced
    publish_bundle(inputs, outputs, 2024, out, force=True)
    assert every_file(out) == PUBLIC_FILES
    assert all(result == "OK" for _, result in verify_folder(out))
    (out / "notes.txt").write_text("mine", encoding="utf-8")  # a bundle and something else
    with pytest.raises(PublishError, match=r"holds files its SHA256SUMS does not list: notes\.txt"):
        publish_bundle(inputs, outputs, 2024, out, force=True)
    assert (out / "notes.txt").exists()


@pytest.mark.parametrize("where", ["outputs/2024/final/public", "outputs", "outputs/2024/final"])
def test_the_final_s_own_folder_is_never_written(tmp_path: Path, where: str) -> None:
    inputs, outputs = make_final(tmp_path)
    with pytest.raises(PublishError, match="the final's own folder"):
        publish_bundle(inputs, outputs, 2024, tmp_path / where, force=True)
    assert all(r == "OK" for _, r in verify_folder(Outputs(outputs).year(2024).final.folder))


def test_a_failed_write_leaves_no_half_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, outputs = make_final(tmp_path)

    def full(path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(bundle, "fsync_dir", full)
    with pytest.raises(PublishError, match="disk is full"):
        publish_bundle(inputs, outputs, 2024, tmp_path / "public")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "outputs"]
    assert not Outputs(outputs).year(2024).publications.exists()


def test_verify_checks_a_bundle_and_finds_tampering(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    out = tmp_path / "public"
    publish_bundle(inputs, outputs, 2024, out)
    runner = CliRunner()
    good = runner.invoke(app, ["verify", str(out)])
    assert good.exit_code == 0 and "all 7 files match SHA256SUMS" in good.output
    (out / "data" / "themes.csv").write_bytes(b"theme,KR\nagile-governance,9\n")
    (out / "extra.html").write_text("<p>added</p>", encoding="utf-8")
    bad = runner.invoke(app, ["verify", str(out)])
    assert bad.exit_code == 1
    assert "data/themes.csv: FAILED" in bad.output and "extra.html: not listed" in bad.output


def test_publish_command(tmp_path: Path) -> None:
    inputs, outputs = make_final(tmp_path)
    runner = CliRunner()
    args = ["publish", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)]
    done = runner.invoke(app, [*args, "--out", str(tmp_path / "public")])
    assert done.exit_code == 0, done.output
    assert "Published the final of 2024 in" in done.output and "  report.html\n" in done.output
    again = runner.invoke(app, [*args, "--out", str(tmp_path / "public")])
    assert again.exit_code == 2
    assert "publish refused: --out" in again.output and "--force" in again.output
    none = runner.invoke(app, [*args[:2], "2023", *args[3:], "--out", str(tmp_path / "p23")])
    assert none.exit_code == 2 and "there is no final of 2023" in none.output
