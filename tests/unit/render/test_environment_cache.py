"""One Jinja environment per templates folder (issue 41: `wgreport preview` renders on each
save; compiling the report's templates took 0.3 s of each render), still reading a
template again when its file changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.conftest import ROOT
from wgreport.render.html import make_environment


def test_the_environment_is_made_once_and_sees_a_changed_template(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    env = make_environment(templates)
    assert make_environment(templates) is env  # compiled templates kept
    assert make_environment(ROOT / "templates") is not env  # one per folder
    page = templates / "review.html.j2"
    first = env.get_template("review.html.j2")
    assert env.get_template("review.html.j2") is first
    page.write_text("changed {{ 1 + 1 }}", encoding="utf-8")
    info = page.stat()
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))  # a later save
    assert make_environment(templates).get_template("review.html.j2").render() == "changed 2"
