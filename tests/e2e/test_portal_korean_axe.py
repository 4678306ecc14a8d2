"""The portal's pages in Korean in the suite's real Chromium (issue 42): a member's page
and the sign-in page as a Korean browser gets them, saved as the portal serves them and
checked by axe-core (WCAG 2.1 A and AA) at a desktop's and a phone's width, with the
phone's width not scrolled sideways. Cheaper than the whole portal rehearsal
(test_portal_browser.py): the pages come from the application in process."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from tests.conftest import copy_inputs
from tests.support.browsercheck import browser
from wgreport.portal.app import Portal, make_app
from wgreport.portal.store import Store

KOREAN = {"accept-language": "ko-KR,ko;q=0.9,en;q=0.8"}


@pytest.fixture(scope="module")
def korean_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("portal-ko")
    portal = Portal(copy_inputs(base), base / "outputs", 2024, Store(base / "portal"),
                    base_url="http://testserver")  # fmt: skip
    _, token = portal.store.invite("member", "kr@example.org", member="KR")
    client = TestClient(make_app(portal), follow_redirects=False)
    pages = {"signin": client.get(f"/signin/{token}", headers=KOREAN).text}
    assert client.post(f"/signin/{token}").status_code == 303
    pages["member"] = client.get("/member", headers=KOREAN).text
    out: dict[str, Path] = {}
    for name, text in pages.items():
        assert '<html lang="ko">' in text, name
        out[name] = base / f"{name}.html"
        out[name].write_text(text, encoding="utf-8")
    return out


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("name", ["signin", "member"])
def test_a_korean_portal_page_passes_axe_and_fits_a_phone(
    korean_pages: dict[str, Path], name: str, width: int
) -> None:
    result = browser("axe", korean_pages[name], width)
    assert result["passes"] > 5  # axe really ran its rules
    assert result["violations"] == [], result["violations"]
    layout = browser("layout", korean_pages[name], width)
    assert layout["scrollWidth"] <= layout["viewportWidth"]
