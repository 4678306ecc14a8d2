"""Shared fixtures: the demo inputs, pinned time and locale, and one Prefect-free build."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import pytest

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import Destination

    from wgreport.inputs.models import Edition, WorkingGroup
    from wgreport.inputs.validation import ContributionResult, EditionContext
    from wgreport.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEMO_INPUTS = ROOT / "inputs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BUILD_TIME = "2025-03-15T09:00:00+00:00"

# Golden output depends on these: pin them for every test.
os.environ["WGREPORT_BUILD_TIME"] = BUILD_TIME
os.environ["TZ"] = "UTC"
os.environ["LC_ALL"] = "C.UTF-8"
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A `wgreport build` in a test uses Prefect's temporary server, not a background server
# that would outlive the test (tests/e2e/test_background.py tests that one).
os.environ["WGREPORT_PREFECT_SERVER"] = "temporary"
# Nor does a background server started by a test start the warm builder beside it (its
# imports cost 2 to 3 s of CPU), except where a test asks for it (tests/unit/runtime/
# test_warm.py, and test_flow_e2e.py's build at a terminal).
os.environ["WGREPORT_WARM_BUILDER"] = "0"


#: The members of the small edition (`copy_inputs(..., members=SMALL)`): Korea (Hangul,
#: an image), the United Kingdom and Estonia (an image), a third of the demo's pages.
SMALL = ("KR", "GB", "EE")


def copy_inputs(target: Path, members: tuple[str, ...] | None = None) -> Path:
    """A private copy of the demo inputs (tests never touch the real ones). With `members`,
    the 2024 edition expects only those members (`expected_members`), holds only their
    contributions and their country-validation entries: a smaller report that builds in
    a fraction of the time, for tests whose assertions do not depend on the demo's ten."""
    dest = target / "inputs"
    shutil.copytree(DEMO_INPUTS, dest)
    if members is not None:
        _keep_members(dest / "2024", members)
    return dest


def _keep_members(edition: Path, members: tuple[str, ...]) -> None:
    """`edition` (a folder of the inputs) expects only `members` and holds only theirs."""
    from wgreport.review.yamlfiles import dump_roundtrip, load_roundtrip

    yaml = edition / "edition.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "\nexpected_members: all\n" in text
    listed = ", ".join(members)
    yaml.write_text(
        text.replace("\nexpected_members: all\n", f"\nexpected_members: [{listed}]\n"),
        encoding="utf-8",
    )
    for path in (edition / "contributions").iterdir():
        if path.name.split(".")[0] not in members:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    record = edition / "country-validation.yaml"
    if not record.is_file():  # an edition without a country-validation round (2023)
        return
    data = load_roundtrip(record)
    for round_ in data["rounds"]:
        for code in [c for c in round_["members"] if c not in members]:
            del round_["members"][code]
    record.write_text(dump_roundtrip(data), encoding="utf-8")


def edition_tree(tmp_path: Path) -> Path:
    """A minimal inputs tree: the demo group and 2024 edition, no contributions."""
    inputs = tmp_path / "inputs"
    (inputs / "2024" / "contributions").mkdir(parents=True)
    shutil.copy(DEMO_INPUTS / "working-group.yaml", inputs)
    for name in ("edition.yaml", "foreword.md", "key-messages.md"):
        shutil.copy(DEMO_INPUTS / "2024" / name, inputs / "2024")
    return inputs


class Who(TypedDict, total=False):
    """Whom a portal invitation is for: the keywords Store.invite takes after the email."""

    member: str
    reviewer: str
    name: str
    organisation: str


def page_of(reader: PdfReader, destination: Destination) -> int:
    """The page (from 1) an outline item or named destination points to; pypdf gives None
    for one that points to no page, which no report has."""
    number = reader.get_destination_page_number(destination)
    assert number is not None, destination.title
    return number + 1


#: Korea's valid contribution, the base that fuzzing and limit tests mutate.
VALID_KR = (FIXTURES / "valid" / "KR.yaml").read_text(encoding="utf-8")


@functools.cache
def _demo_group_and_edition() -> tuple[WorkingGroup | None, Edition | None]:
    from wgreport.inputs.validation import load_edition, load_working_group

    wg, _ = load_working_group(DEMO_INPUTS / "working-group.yaml")
    edition, _ = load_edition(DEMO_INPUTS / "2024" / "edition.yaml", wg, 2024)
    return wg, edition


def demo_context(folder: Path) -> EditionContext:
    """The 2024 demo edition's context, for a contribution in `folder`."""
    from wgreport.inputs.validation import EditionContext

    wg, edition = _demo_group_and_edition()
    return EditionContext(wg, 2024, edition, folder)


def validate_in_demo(path: Path) -> ContributionResult:
    """Validate one contribution file against the 2024 demo edition, as a build would."""
    from wgreport.inputs.validation import validate_contribution

    return validate_contribution(path, demo_context(path.parent))


@pytest.fixture
def inputs_copy(tmp_path: Path) -> Path:
    return copy_inputs(tmp_path)


def shared_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]
) -> Path:
    """What `make(folder)` returns, made once per test session: under pytest-xdist the
    first worker to ask makes it (the others wait on a lock) in the folder the workers
    share, and every worker gets the same path. Only for what tests read and never change."""
    import fcntl
    import json
    import os

    if "PYTEST_XDIST_WORKER" not in os.environ:
        return make(tmp_path_factory.mktemp(name))
    root = tmp_path_factory.getbasetemp().parent  # pytest-N/, above each worker's popen-gwK/
    record = root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if record.is_file():
            return Path(json.loads(record.read_text(encoding="utf-8"))["path"])
        folder = root / name
        folder.mkdir()
        made = make(folder)
        record.write_text(json.dumps({"path": str(made)}), encoding="utf-8")
        return made


@pytest.fixture(scope="session", autouse=True)
def shared_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One build cache (`WGREPORT_CACHE_DIR`: charts, chapter layouts and PDFs) for every
    build of the session, across xdist workers and in the `wgreport` processes tests start.

    Its entries are keyed by the digest of what they are made of (the part's HTML and style,
    the style sheets, the images, WeasyPrint's version), so a build that takes a part from
    it gets the bytes and warnings its own layout would give, as a second build of a
    project does; what it saves is the same chapter laid out again by test after test. A
    test of what laying out does (time limits, killed workers, which parts a build lays out)
    uses its own cache: `cold_build_cache`."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        folder = tmp_path_factory.getbasetemp().parent / "build-cache"
    else:
        folder = tmp_path_factory.getbasetemp() / "build-cache"
    folder.mkdir(exist_ok=True)
    before = os.environ.get("WGREPORT_CACHE_DIR")
    os.environ["WGREPORT_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("WGREPORT_CACHE_DIR", None)
    else:
        os.environ["WGREPORT_CACHE_DIR"] = before


def library_settings(inputs: Path, outputs: Path, **fields: Any) -> Settings:
    """Settings for a build by the library in a test (`Settings` made directly, not by
    get_settings): the project's templates, and the session's shared build cache
    ($WGREPORT_CACHE_DIR, shared_build_cache) as a `wgreport build` in a test uses it, so
    that a chapter laid out by one test is not laid out again by the next. Also in the
    processes tests start (they inherit the variable). `fields` are Settings' others; a
    test of what laying out does passes `cache_root=None` (the outputs' own .cache/)."""
    from wgreport.runtime.settings import Settings, cache_root_from_env

    fields.setdefault("cache_root", cache_root_from_env())
    return Settings(root=ROOT, inputs_dir=inputs, outputs_dir=outputs, **fields)


@pytest.fixture
def cold_build_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """This test's builds keep their cache in their outputs (`outputs/.cache`, the default),
    not the session's shared one: what they lay out is laid out here."""
    monkeypatch.delenv("WGREPORT_CACHE_DIR", raising=False)


@pytest.fixture(scope="session")
def library_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One draft built by the library alone (no Prefect), built once per session and
    shared by every test that reads it (across xdist workers too)."""

    def make(base: Path) -> Path:
        from wgreport.build.steps import build

        # its own cache, cold whatever ran before: the golden tree pins what it laid out
        # (the manifest's parts_laid_out and parts_rendered)
        settings = library_settings(copy_inputs(base), base / "outputs", cache_root=None)
        return build(settings, 2024)

    return shared_once(tmp_path_factory, "library-build", make)


@pytest.fixture(scope="session")
def korean_draft(tmp_path_factory: pytest.TempPathFactory, library_draft: Path) -> Path:
    """A draft of the whole demo in English and Korean (`languages=("ko",)`), built by the
    library alone once per session and shared by every test that reads it (across xdist
    workers too): its Korean page is compared with the golden copy, and what is read back
    names members of the ten (덴마크가, the parts left in English).

    Its build cache starts as a copy of `library_draft`'s, whose English report is this
    draft's English report: its English chapters are taken from the cache, as a second
    build of the project would (26.7 s to build cold, 13.8 s so, measured on a 2-core
    machine); the Korean ones are laid out here."""

    def make(base: Path) -> Path:
        import shutil

        from wgreport.build.steps import BuildRequest, SequentialRunner, run_build

        outputs = library_draft.parents[2]  # outputs/2024/drafts/001 → outputs
        english = outputs / ".cache"  # library_draft's own (cache_root=None)
        assert english.is_dir(), f"no build cache beside the library's draft: {english}"
        cache = shutil.copytree(english, base / "cache")
        settings = library_settings(copy_inputs(base), base / "outputs", cache_root=cache)
        request = BuildRequest(2024, languages=("ko",))
        return run_build(settings, request, SequentialRunner()).folder

    return shared_once(tmp_path_factory, "korean-build", make)


@pytest.fixture(scope="session")
def library_final(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo rendered as a final (no draft mark, PDF/UA-1, CSVs attached), as a folder
    with report.pdf and report.html; made once per session (across xdist workers too)."""

    def make(base: Path) -> Path:
        from wgreport.build.plan import make_build_info
        from wgreport.build.steps import SequentialRunner, render_edition
        from wgreport.inputs.edition import load_edition_inputs

        settings = library_settings(DEMO_INPUTS, base / "outputs")
        loaded = load_edition_inputs(DEMO_INPUTS, 2024)
        _, rendered, _ = render_edition(
            settings, loaded, make_build_info(None, final=True), SequentialRunner()
        )
        (base / "report.pdf").write_bytes(rendered.pdf)
        (base / "report.html").write_text(rendered.html, encoding="utf-8")
        (base / "warnings.txt").write_text("\n".join(rendered.warnings), encoding="utf-8")
        return base

    return shared_once(tmp_path_factory, "library-final", make)


@pytest.fixture(scope="session")
def migrated_prefect_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect database migrated to the newest revision, made once per session (across
    xdist workers too), for every Prefect server a test starts on a new database to start
    from a copy of (tests/support/prefecthome.py): each would otherwise migrate its own."""
    from tests.support.prefecthome import migrate

    return shared_once(tmp_path_factory, "prefect-db", migrate)


@pytest.fixture(scope="session")
def prefect_harness(
    migrated_prefect_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """One Prefect test server for the whole session, on a copy of the migrated database."""
    from tests.support.prefecthome import harness_on

    with harness_on(migrated_prefect_db, tmp_path_factory.mktemp("prefect-harness"), 180):
        yield
