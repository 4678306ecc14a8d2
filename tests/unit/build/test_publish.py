from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from wgreport.build.publish import (
    next_draft_number,
    publish_draft,
    sha256_bytes,
    year_lock,
)
from wgreport.errors import PublishError


def publish(outputs: Path, files: dict[str, bytes]) -> Path:
    with year_lock(outputs / "2024"):
        number = next_draft_number(outputs, 2024)
        return publish_draft(outputs, 2024, number, files, {"year": 2024}).folder


def test_drafts_are_numbered_and_latest_follows(tmp_path: Path) -> None:
    first = publish(tmp_path, {"report.pdf": b"one"})
    second = publish(tmp_path, {"report.pdf": b"two"})
    assert (first.name, second.name) == ("001", "002")
    assert (tmp_path / "2024" / "latest").resolve() == second.resolve()
    assert (first / "report.pdf").read_bytes() == b"one"
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["draft"] == "002"
    assert manifest["outputs"] == {"report.pdf": sha256_bytes(b"two")}


def test_existing_draft_is_never_overwritten(tmp_path: Path) -> None:
    publish(tmp_path, {"report.pdf": b"one"})
    with year_lock(tmp_path / "2024"), pytest.raises(PublishError, match="never overwritten"):
        publish_draft(tmp_path, 2024, 1, {"report.pdf": b"evil"}, {})
    assert (tmp_path / "2024" / "drafts" / "001" / "report.pdf").read_bytes() == b"one"


def test_leftover_temporary_folder_is_cleaned(tmp_path: Path) -> None:
    leftover = tmp_path / "2024" / "drafts" / ".tmp-001-999"
    leftover.mkdir(parents=True)
    (leftover / "report.pdf").write_bytes(b"partial")
    folder = publish(tmp_path, {"report.pdf": b"ok"})
    assert folder.name == "001"
    assert not leftover.exists()


def test_lock_is_exclusive_and_fails_clearly(tmp_path: Path) -> None:
    import fcntl

    year_dir = tmp_path / "2024"
    year_dir.mkdir()
    with (year_dir / ".lock").open("a+") as holder:
        pid = os.fork()
        if pid == 0:  # child holds the lock briefly
            fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
            os._exit(0)
        os.waitpid(pid, 0)
    # The child died: the kernel released its lock, so we get it at once.
    with year_lock(year_dir, wait_seconds=1):
        pass
    with year_lock(year_dir, wait_seconds=1):
        other = (year_dir / ".lock").open("a+")
        with pytest.raises(BlockingIOError):
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        other.close()


def test_read_only_outputs_give_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PublishError, match="cannot write"):
            publish(tmp_path, {"report.pdf": b"x"})
    finally:
        tmp_path.chmod(0o700)


def test_a_second_build_waits_with_a_message_then_fails_clearly(tmp_path: Path) -> None:
    import threading

    from wgreport.build.progress import reporting
    from wgreport.errors import PublishError

    year_dir = tmp_path / "2024"
    heard: list[str] = []
    with year_lock(year_dir), reporting(lambda name, detail: heard.append(f"{name}: {detail}")):
        result: list[BaseException] = []

        def second() -> None:
            try:
                with year_lock(year_dir, wait_seconds=0.5):
                    pass
            except PublishError as exc:
                result.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(10)
    assert len(heard) == 1 and heard[0].startswith("notice: another build of 2024 is running")
    assert result and "another build of 2024" in str(result[0]) and "waited" in str(result[0])


def _final(outputs: Path, payload: bytes, supersede: bool = False) -> Path:
    from wgreport.build.publish import publish_final

    with year_lock(outputs / "2024"):
        return publish_final(outputs, 2024, {"report.pdf": payload}, {}, supersede=supersede).folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_supersede_swaps_the_final_and_keeps_the_old_one(tmp_path: Path) -> None:
    old = _tree(_final(tmp_path, b"old"))
    new = _final(tmp_path, b"new", supersede=True)
    manifest = json.loads((new / "manifest.json").read_text())
    kept = tmp_path / "2024" / manifest["supersedes"]
    assert _tree(kept) == old and (new / "report.pdf").read_bytes() == b"new"
    assert not list((tmp_path / "2024").glob(".pending-*"))


@pytest.mark.parametrize("moment", ["before-exchange", "after-exchange", "moved-away"])
def test_an_interrupted_supersede_is_repaired_by_the_next_build(
    tmp_path: Path, moment: str
) -> None:
    """The states a crash can leave during `_swap_final` (the old final already copied to
    its superseded name): the next build finishes or undoes the swap."""
    import shutil

    from wgreport.build.publish import recover_year

    year_dir = tmp_path / "2024"
    old = _tree(_final(tmp_path, b"old"))
    new = _final(tmp_path / "staging", b"new")  # a complete new final, elsewhere
    name = "final-superseded-20250101T000000Z"
    manifest = json.loads((new / "manifest.json").read_text())
    manifest["supersedes"] = name
    (new / "manifest.json").write_text(json.dumps(manifest))
    pending = year_dir / f".pending-{name}"
    shutil.copytree(year_dir / "final", year_dir / name)
    if moment == "before-exchange":
        shutil.move(new, pending)
    elif moment == "after-exchange":
        (year_dir / "final").rename(pending)
        shutil.move(new, year_dir / "final")
    else:  # no exchange on this file system: the old final moved away, the new not yet in
        (year_dir / "final").rename(year_dir / ".old-final-123")
        shutil.move(new, pending)
    with year_lock(year_dir):
        done = recover_year(year_dir)
    assert done and sorted(p.name for p in year_dir.iterdir() if p.name.startswith(".")) == [
        ".lock"
    ]
    final = _tree(year_dir / "final")
    if moment == "before-exchange":  # the new final was not in place: the old one stays
        assert final == old and not (year_dir / name).exists()
    else:  # it was, or was about to be: finish, keeping the old one
        assert final["report.pdf"] == b"new" and _tree(year_dir / name) == old


def test_recovery_removes_temporaries_and_repoints_latest(tmp_path: Path) -> None:
    from wgreport.build.publish import recover_year

    first = publish(tmp_path, {"report.pdf": b"one"})
    second = publish(tmp_path, {"report.pdf": b"two"})
    year_dir = tmp_path / "2024"
    (year_dir / "latest").unlink()
    (year_dir / "latest").symlink_to("drafts/001")  # died between rename and latest
    (year_dir / ".latest-123").symlink_to("drafts/002")
    (year_dir / ".index-123.html").write_text("<p>half")
    (year_dir / "drafts" / ".tmp-003-123").mkdir()
    with year_lock(year_dir):
        done = recover_year(year_dir)
    assert len(done) == 4
    assert (year_dir / "latest").resolve() == second.resolve()
    assert sorted(p.name for p in year_dir.iterdir()) == [".lock", "drafts", "latest"]
    assert (first / "report.pdf").read_bytes() == b"one"
