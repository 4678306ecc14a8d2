"""`suggest.close_matches` skips the possibilities that cannot match and gives exactly
difflib.get_close_matches' list."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wgreport.inputs.suggest import close_matches

letters = st.text(st.sampled_from(list("abcdeklmnr-_0123é김")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    word=letters,
    possibilities=st.lists(letters, max_size=30),
    n=st.integers(min_value=1, max_value=5),
    cutoff=st.sampled_from([0.0, 0.3, 0.6, 0.75, 1.0]),
)
def test_the_same_list_as_difflib(
    word: str, possibilities: list[str], n: int, cutoff: float
) -> None:
    expected = difflib.get_close_matches(word, possibilities, n=n, cutoff=cutoff)
    assert close_matches(word, possibilities, n=n, cutoff=cutoff) == expected


def test_the_demo_slips_still_match() -> None:
    keys = ["lead_institution", "member", "initiatives", "summary", "indicators"]
    assert close_matches("lead_instituton", keys, n=1) == ["lead_institution"]
    assert close_matches("initiative", keys, n=1) == ["initiatives"]
    assert close_matches("k1234", keys) == []


def test_many_possibilities_that_cannot_match_are_not_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file of 26,000 unknown keys: each missing key was compared with all of them (9 of
    the 12.6 s of its validation, profiled). Keys sharing no letter with it are skipped."""
    compared: list[list[str]] = []
    real = difflib.get_close_matches

    def counting(word: str, possibilities: list[str], n: int, cutoff: float) -> list[str]:
        compared.append(list(possibilities))
        return real(word, possibilities, n=n, cutoff=cutoff)

    monkeypatch.setattr(difflib, "get_close_matches", counting)
    unknown = [f"k{i}" for i in range(26_000)] + ["membr"]
    assert close_matches("member", unknown, n=1) == ["membr"]
    assert compared == [["membr"]]
