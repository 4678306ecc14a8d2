"""The live preview watches the translations too (issue 42): the edition's translation files
and translated editorial files (in the edition's folder) and the group's translation file
(`inputs/translations/<lang>/group.yaml`), whose saves concern it."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import copy_inputs, library_settings
from wgreport.layout import Inputs
from wgreport.live.rebuild import LiveBuilder


def test_a_save_of_a_translation_concerns_the_preview(tmp_path: Path) -> None:
    inputs_dir = copy_inputs(tmp_path, ("KR", "GB"))
    settings = library_settings(inputs_dir, tmp_path / "outputs")
    builder = LiveBuilder(settings, 2024)
    inputs = Inputs(inputs_dir)
    assert builder.concerns(inputs.group_translation("ko"))
    assert inputs.translations("ko") in builder.watched()
    assert builder.concerns(inputs.edition(2024).translation("ko", "KR"))
    assert builder.concerns(inputs.edition(2024).file_in("foreword.md", "ko"))
