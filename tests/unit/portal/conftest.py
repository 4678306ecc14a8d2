"""The portal's tests make no chapter previews (a render process after each accepted
upload) unless they ask for them: tests/unit/portal/test_preview.py does."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WGREPORT_PREVIEWS_AT_ONCE", "0")
