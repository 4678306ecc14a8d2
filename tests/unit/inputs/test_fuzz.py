"""Bad input never crashes: random text and mutations of a valid file always give a report."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, VALID_KR, validate_in_demo

VALID = VALID_KR

yaml_chars = st.sampled_from(list(" \n\t:-#&*!|>'\"[]{},?%@`0123456789abcKRé김ש\x00\x7f"))


def check(tmp: Path, data: bytes) -> None:
    folder = tmp / "contributions"
    folder.mkdir(exist_ok=True)
    path = folder / "KR.yaml"
    path.write_bytes(data)
    result = validate_in_demo(path)
    for report in result.reports:
        for issue in report.issues:
            assert issue.line is not None and issue.line >= 1
            assert issue.column is not None and issue.column >= 1
            assert issue.code and issue.message
    if result.contribution is not None:
        assert result.valid


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(yaml_chars, max_size=300))
def test_yaml_shaped_text(tmp_path: Path, text: str) -> None:
    check(tmp_path, text.encode("utf-8", errors="surrogatepass"))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(min_value=0, max_value=len(VALID)),
    length=st.integers(min_value=0, max_value=40),
    insert=st.text(yaml_chars, max_size=12),
)
def test_mutations_of_a_valid_file(tmp_path: Path, cut: int, length: int, insert: str) -> None:
    text = VALID[:cut] + insert + VALID[cut + length :]
    check(tmp_path, text.encode("utf-8", errors="surrogatepass"))


def test_fuzz_helpers_see_the_valid_file_as_valid(tmp_path: Path) -> None:
    folder = tmp_path / "contributions"
    folder.mkdir()
    shutil.copy(FIXTURES / "valid" / "KR.yaml", folder / "KR.yaml")
    result = validate_in_demo(folder / "KR.yaml")
    assert result.valid


def test_worst_case_files_stay_within_a_memory_bound(tmp_path: Path) -> None:
    """Files of a quarter of the size limit, shaped to make a parser or a check work
    hardest, each give a report, allocating less than 64 MiB (Python allocations, traced).
    (100,000 unknown keys once took minutes: issues were deduplicated by a list scan.)"""
    import tracemalloc

    from wgreport.inputs.yamlsource import MAX_FILE_BYTES

    n = MAX_FILE_BYTES // 4
    description = VALID.index("description: A shared")
    worst = {
        "flow-brackets": b"[" * n,
        "one-long-line": b"summary: " + b"x" * (n - 9),
        "many-keys": b"".join(b"k%d: 1\n" % i for i in range(n // 10)),
        "alias-bomb": b"a: &a ["
        + b"x," * 1000
        + b"]\n"
        + b"".join(b"b%d: [*a, *a, *a]\n" % i for i in range(n // 20)),
        "markdown-links": (
            VALID[:description] + "description: '" + "[a](" * (n // 5) + "'\n"
        ).encode()[:n],
    }
    tracemalloc.start()
    try:
        for name, data in worst.items():
            assert len(data) <= MAX_FILE_BYTES, name
            tracemalloc.reset_peak()
            check(tmp_path, data)
            peak = tracemalloc.get_traced_memory()[1]
            assert peak < 64 * 2**20, f"{name}: {peak / 2**20:.0f} MiB"
    finally:
        tracemalloc.stop()
