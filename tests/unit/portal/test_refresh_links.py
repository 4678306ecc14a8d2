"""A page that asks to be refreshed (a build running, a preview being prepared; the portal has
no script and no meta refresh) links to a URL without a #fragment: a link to the page itself
with a fragment only scrolls it, so what it shows never changes (issue 38: found in
Chromium on the secretariat's page, the final's page and the member's preview)."""

from __future__ import annotations

import re
from pathlib import Path

import wgreport.portal

TEMPLATES = Path(wgreport.portal.__file__).parent / "templates"
REFRESH = re.compile(r'<a href="([^"]*)" id="(refresh|preview-refresh)"')


def test_every_refresh_link_loads_its_page_again() -> None:
    links = {
        (path.name, m[2]): m[1]
        for path in sorted(TEMPLATES.glob("*.j2"))
        for m in REFRESH.finditer(path.read_text(encoding="utf-8"))
    }
    assert set(links) == {
        ("secretariat.html.j2", "refresh"),
        ("secretariat-final.html.j2", "refresh"),
        ("member-preview.html.j2", "preview-refresh"),
    }
    assert {where: href for where, href in links.items() if "#" in href} == {}
    assert links["secretariat.html.j2", "refresh"] == "/secretariat"
    assert links["secretariat-final.html.j2", "refresh"] == "/secretariat/final"
