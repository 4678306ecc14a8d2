"""Issue 40, the tone: a member's own chapter and the annexes a minister reads never call a
member late or invalid (a draft keeps that in its status annex, and the review page does);
Annex D speaks in words, without validator codes and line numbers; the demo's addresses are
real or reserved for examples; one name style, the short name in text and tables."""

from __future__ import annotations

import functools
import html as htmllib
import re

import yaml

from tests.conftest import DEMO_INPUTS, ROOT
from wgreport.build.pipeline import make_context
from wgreport.build.plan import make_build_info
from wgreport.inputs.edition import load_edition_inputs
from wgreport.render.html import render_html


@functools.cache
def _page(final: bool) -> str:
    info = make_build_info(None, final=True) if final else make_build_info(1)
    ctx = make_context(load_edition_inputs(DEMO_INPUTS, 2024), info)
    return render_html(ctx, ROOT / "templates")


def _section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_a_member_s_own_chapter_never_calls_it_late() -> None:
    for final in (False, True):
        mexico = _text(_section(_page(final), "member-mx"))
        assert "2025-03-04" in mexico  # the date it submitted stays
        assert "deadline" not in mexico and "late" not in mexico.replace("In late 2024", "")


def test_the_contributors_annex_never_calls_a_member_late() -> None:
    for final in (False, True):
        contributors = _text(_section(_page(final), "annex-contributors"))
        assert "Mexico" in contributors and "2025-03-04" in contributors
        assert "deadline" not in contributors and "late" not in contributors


def test_a_draft_keeps_lateness_in_its_status_annex_and_a_final_does_not() -> None:
    draft = _text(_section(_page(False), "annex-status"))
    assert re.search(r"Mexico\s+submitted late", draft)
    assert "after the deadline 2025-02-28" in draft
    final = _text(_section(_page(True), "annex-status"))
    assert re.search(r"Mexico\s+submitted\s+0", final)
    assert "late" not in final and "deadline" not in final and "not valid" not in final


def test_the_status_annex_speaks_in_words_without_codes_or_lines() -> None:
    annex = _section(_page(False), "annex-status")
    notes = annex[annex.index("Validation notes") :]
    assert "<code>" not in notes
    assert "late-submission" not in notes
    assert not re.search(r"\bline \d+", notes)
    assert "<strong>Mexico</strong>: submitted 2025-03-04, after the deadline 2025-02-28" in notes
    assert "validation.json" in notes  # where the codes and lines are
    assert "Table D.1 gives the status" in _text(annex)  # the table it points to, named


def _hosts() -> list[tuple[str, str]]:
    """Every contact address and link of the demo's contributions, this edition's and the
    previous one's (the report compares with it): (file, host)."""
    out = []
    for path in sorted(DEMO_INPUTS.glob("*/contributions/*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        name = f"{path.parent.parent.name}/{path.name}"
        out.append((name, str(data["contact"]["email"]).rsplit("@", 1)[1]))
        out += [(name, m) for m in re.findall(r"https?://([^/\s\"')]+)", text)]
    return out


def test_the_demo_s_addresses_are_real_or_reserved_for_examples() -> None:
    hosts = _hosts()
    assert len(hosts) >= 30
    for name, host in hosts:
        labels = host.lower().split(".")
        if "example" in labels:  # invented: only under a name reserved for it (RFC 2606)
            reserved = labels[-1] == "example" or labels[-2:] in (
                ["example", "org"],
                ["example", "com"],
                ["example", "net"],
            )
            assert reserved, f"{name}: {host} is a registrable name, not a reserved one"


def test_a_member_is_named_short_in_text_and_tables_formal_in_its_heading() -> None:
    page = _page(False)
    assert "<h2>5. Republic of Korea</h2>" in page
    status = _section(page, "annex-status")
    assert '<th scope="row">Korea</th>' in status
    assert "Republic of Korea" not in status
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        if 'id="contributors-table"' not in table:  # the annex that lists them formally
            assert "Republic of Korea" not in table
