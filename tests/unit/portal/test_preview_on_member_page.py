"""The preview on the member's pages (issue 38), as the Chromium test found it:

- while it is being prepared, its "refresh" link reloads a page: on the member's page a link
  to `/member#preview` only scrolled (the same document, a fragment), so the member waited
  on a page that never said "Ready";
- its times are in the edition's time zone with the offset, as the page says every time on
  it is (they were in UTC)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.unit.portal.test_preview import FAKE, KR, _member, _upload, portal  # noqa: F401
from wgreport.portal import preview as previews
from wgreport.portal.app import Portal


def _refresh(page: str) -> str:
    found = re.search(r'<a href="([^"]+)" id="preview-refresh">', page)
    assert found is not None, page
    return found.group(1)


def test_the_preview_being_prepared_links_to_a_page_that_reloads(
    portal: Portal,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = tmp_path / "hold"
    marker.touch()
    monkeypatch.setattr(previews.Previews, "command",
                        lambda self: [sys.executable, "-c", FAKE, str(marker)])  # fmt: skip
    kr = _member(portal, "KR")
    _upload(kr, KR, "KR.yaml")
    try:
        for path in ("/member", "/member/preview"):
            link = _refresh(kr.get(path).text)
            # not the same page with a fragment: a browser would not load it again
            assert link.partition("#")[0] != path or "#" not in link, (path, link)
            assert kr.get(link).status_code == 200
        assert _refresh(kr.get("/member/preview").text) == "/member/preview"  # reloads itself
    finally:
        marker.unlink()
        previews.previews(portal).wait("KR", timeout=60)


def test_the_previews_times_are_in_the_editions_time_zone(
    portal: Portal,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = tmp_path / "hold"
    monkeypatch.setattr(previews.Previews, "command",
                        lambda self: [sys.executable, "-c", FAKE, str(marker)])  # fmt: skip
    kr = _member(portal, "KR")
    _upload(kr, KR, "KR.yaml")
    done = previews.previews(portal).wait("KR", timeout=60)
    assert done is not None and done["state"] == "ready", done
    assert "time zone, Asia/Seoul, with its offset" in kr.get("/member").text
    for path in ("/member", "/member/preview"):
        page = kr.get(path).text
        ready = re.search(r'data-state="ready"[^>]*>Ready at ([^,]+),', page)
        assert ready is not None, page
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+09:00\)", ready[1]), ready[1]
