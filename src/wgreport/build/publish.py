"""Write drafts atomically and record what they were made from.

A draft is written into a temporary folder beside its destination and renamed into place,
under a per-year lock, so a draft that appears is complete and no number is used twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FinalExists, PublishError
from ..layout import SUMS, SUPERSEDED_PREFIX, Draft, Outputs, YearOutputs
from ..layout import draft_name as draft_name
from .progress import notice

LOCK_WAIT_SECONDS = 600.0


def sha256sums(digests: Mapping[str, str]) -> bytes:
    """`sha256sum` format: one "<digest>  <path>" line per file, sorted by path."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode()


def verify_folder(folder: Path) -> list[tuple[str, str]]:
    """Check a draft, final or bundle folder against its SHA256SUMS: (path, "OK" | problem) rows.

    Problems: "FAILED" (the content differs), "missing", "not listed" (a file the sums do
    not name), and "unsafe path" (a line naming a file outside the folder).
    """
    sums_file = Draft(folder).sums
    if not sums_file.is_file():
        raise PublishError(
            f"{sums_file} not found: is this a draft, a final or a published bundle?"
        )
    rows: list[tuple[str, str]] = []
    listed: set[str] = set()
    for number, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            rows.append((f"{SUMS}:{number}", "not a sha256sum line"))
            continue
        name = name.lstrip("*")
        listed.add(name)
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            rows.append((name, "unsafe path"))
        elif not path.is_file():
            rows.append((name, "missing"))
        else:
            rows.append((name, "OK" if sha256_file(path) == digest else "FAILED"))
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file() and name != SUMS and name not in listed:
            rows.append((name, "not listed"))
    return rows


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def digest_inputs(paths: Mapping[str, Path]) -> dict[str, str]:
    """sha256 of each input file, keyed by its display path, sorted."""
    return {name: sha256_file(paths[name]) for name in sorted(paths)}


def digest_tree(folder: Path) -> str:
    """One sha256 over every file under `folder` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def git_commit(root: Path) -> str | None:
    """The project's git commit, when it is a git checkout and git is available."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@contextlib.contextmanager
def year_lock(year_dir: Path, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the year's build lock; wait for another build, or fail clearly after a while.

    flock is released by the kernel when its holder dies, so a killed build leaves no
    stale lock behind.
    """
    _ensure_dir(year_dir)
    lock_path = year_dir / ".lock"
    try:
        fh = lock_path.open("a+")
    except OSError as exc:
        raise PublishError(_describe_os_error(exc, year_dir)) from exc
    with fh:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    told = True
                    message = (
                        f"another build of {year_dir.name} is running; waiting for it to "
                        f"finish (lock {lock_path}, giving up after {wait_seconds:.0f} s)"
                    )
                    logging.getLogger("wgreport").warning("%s", message)
                    notice(message)
                if time.monotonic() > deadline:
                    raise PublishError(
                        f"another build of {year_dir.name} holds {lock_path} "
                        f"(waited {wait_seconds:.0f} s)"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def existing_drafts(drafts_dir: Path) -> list[int]:
    """Draft numbers already published."""
    if not drafts_dir.is_dir():
        return []
    return sorted(int(p.name) for p in drafts_dir.iterdir() if p.name.isdigit() and p.is_dir())


def next_draft_number(outputs_dir: Path, year: int) -> int:
    """The number the next draft of `year` gets (call while holding the year's lock)."""
    return (existing_drafts(Outputs(outputs_dir).year(year).drafts) or [0])[-1] + 1


@dataclass(frozen=True)
class Published:
    """A draft or final in place: its folder, and its manifest as written. What a build
    returns (steps.run_build, the annual-report flow) and the CLI prints."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def label(self) -> str:
        return "final" if self.manifest.get("final") else f"draft {self.folder.name}"


def publish_draft(
    outputs_dir: Path,
    year: int,
    number: int,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
) -> Published:
    """Write draft `number` with its files and manifest.

    Call while holding `year_lock`: the number was reserved under it.
    """
    year_outputs = Outputs(outputs_dir).year(year)
    drafts_dir = year_outputs.drafts
    _ensure_dir(drafts_dir)
    _clean_temporaries(drafts_dir)
    name = draft_name(number)
    final = drafts_dir / name
    if final.exists():
        raise PublishError(f"{final} already exists; drafts are never overwritten")
    tmp = drafts_dir / f".tmp-{name}-{os.getpid()}"
    record = {**manifest, "draft": name}
    try:
        _write_tree(tmp, files, record)
        os.rename(tmp, final)
        _fsync_dir(drafts_dir)
        _point_latest(year_outputs.folder, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PublishError(_describe_os_error(exc, drafts_dir)) from exc
    return Published(final, record)


def check_final_slot(outputs_dir: Path, year: int, supersede: bool) -> None:
    """Refuse early (before rendering) when a final exists and `supersede` is off."""
    final = Outputs(outputs_dir).year(year).final.folder
    if final.exists() and not supersede:
        raise FinalExists(
            f"a final of {year} already exists ({final}); it is never overwritten. "
            "Build with --supersede to publish a new one and keep the old one as "
            "final-superseded-<time>/"
        )


def publish_final(
    outputs_dir: Path,
    year: int,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
    *,
    supersede: bool = False,
) -> Published:
    """Write `outputs/<year>/final/`. Call while holding `year_lock`.

    An existing final is never overwritten: without `supersede` this refuses; with it the
    old final is kept, renamed `final-superseded-<time>/`, and the new manifest names it.
    """
    year_outputs = Outputs(outputs_dir).year(year)
    year_dir = year_outputs.folder
    _ensure_dir(year_dir)
    _clean_temporaries(year_dir)
    final = year_outputs.final.folder
    superseded: Path | None = None
    check_final_slot(outputs_dir, year, supersede)
    if final.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        superseded = year_outputs.superseded(stamp)
        n = 2
        while superseded.exists():
            superseded = year_outputs.superseded(f"{stamp}-{n}")
            n += 1
    tmp = year_dir / f".tmp-final-{os.getpid()}"
    record = {**manifest, "draft": None, "final": True}
    record["supersedes"] = superseded.name if superseded else None
    pending = year_dir / f".pending-{superseded.name}" if superseded else None
    try:
        _write_tree(tmp, files, record)
        if superseded is None or pending is None:
            os.rename(tmp, final)
        else:
            _swap_final(tmp, pending, final, superseded)
        _fsync_dir(year_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            recover_year(year_dir)  # puts the old final back if it had been moved
        raise PublishError(_describe_os_error(exc, year_dir)) from exc
    return Published(final, record)


def _swap_final(tmp: Path, pending: Path, final: Path, superseded: Path) -> None:
    """Replace `final` by the complete folder `tmp`, keeping the old one as `superseded`.

    At every moment the old final is visible and complete, and `final/` is either it or
    the complete new one: first the old final is copied (hard links, so no data is
    written) to `superseded` through a temporary name, then the two finals are exchanged
    in one atomic step (renameat2 RENAME_EXCHANGE). `recover_year` finishes or undoes a
    swap that a crash interrupted.
    """
    os.rename(tmp, pending)
    copy = final.parent / f".tmp-superseded-{os.getpid()}"
    shutil.copytree(final, copy, copy_function=_link_or_copy)
    _fsync_dir(copy)
    os.rename(copy, superseded)
    _fsync_dir(final.parent)
    if not _exchange(pending, final):  # no atomic exchange here (NFS): a moment without
        old = final.parent / f".old-final-{os.getpid()}"  # final/, which recovery fills
        os.rename(final, old)
        os.rename(pending, final)
        shutil.rmtree(old)
        return
    shutil.rmtree(pending)  # the old final's files, also linked from `superseded`


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def recover_year(year_dir: Path) -> list[str]:
    """Repair what a build that died left in `outputs/<year>/`; say what was done.

    Call while holding the year's lock (every build does, first thing). Removes temporary
    folders and files (`.tmp-*`, `.latest-*`, `.index-*`), finishes or undoes an
    interrupted replacement of the final (see `_swap_final`), and points `latest` at the
    newest draft. Published drafts and finals are never touched.
    """
    done: list[str] = []
    if not year_dir.is_dir():
        return done
    year_outputs = YearOutputs(year_dir)
    final = year_outputs.final.folder
    for pending in sorted(year_dir.glob(f".pending-{SUPERSEDED_PREFIX}*")):
        superseded = year_dir / pending.name.removeprefix(".pending-")
        if not final.exists() and superseded.is_dir():
            os.rename(pending, final)  # between the two renames: the new final goes in
            done.append("put the new final in place (the previous one is kept)")
        elif _supersedes(final) == superseded.name:
            shutil.rmtree(pending)  # exchanged: the pending folder is the old final
            done.append(f"finished replacing the final (previous: {superseded.name}/)")
        else:
            shutil.rmtree(pending)  # the new final was never put in place
            if superseded.is_dir() and digest_tree(superseded) == digest_tree(final):
                shutil.rmtree(superseded)  # the copy of the final made for that swap
            done.append("removed a final that was never put in place")
    for old in year_dir.glob(".old-final-*"):
        if final.is_dir():
            shutil.rmtree(old)
            done.append(f"removed {old.name}")
    for folder in (year_dir, year_outputs.drafts):
        if folder.is_dir():
            for leftover in [*folder.glob(".tmp-*"), *folder.glob(".latest-*"),
                             *folder.glob(".index-*")]:  # fmt: skip
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink(missing_ok=True)
                done.append(f"removed {leftover.name}")
    drafts = existing_drafts(year_outputs.drafts)
    link = year_outputs.latest
    if drafts:
        newest = year_outputs.draft(drafts[-1]).folder
        if not link.is_symlink() or link.resolve() != newest.resolve():
            _point_latest(year_dir, newest)
            done.append(f"pointed latest at drafts/{newest.name}")
    if done:
        _fsync_dir(year_dir)
    return done


def _supersedes(final: Path) -> str | None:
    try:
        value = json.loads(Draft(final).manifest.read_text(encoding="utf-8"))["supersedes"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def publish_build(
    outputs_dir: Path,
    year: int,
    number: int | None,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
    *,
    supersede: bool = False,
) -> Published:
    """Publish draft `number`, or the final when `number` is None."""
    if number is None:
        return publish_final(outputs_dir, year, files, manifest, supersede=supersede)
    return publish_draft(outputs_dir, year, number, files, manifest)


def _write_tree(tmp: Path, files: Mapping[str, bytes], record: dict[str, Any]) -> None:
    """Write the files and their manifest (with the outputs' sha256) into a new `tmp`."""
    record["outputs"] = {n: sha256_bytes(files[n]) for n in sorted(files)}
    tmp.mkdir()
    for file_name in sorted(files):
        (tmp / file_name).parent.mkdir(parents=True, exist_ok=True)
        _write(tmp / file_name, files[file_name])
    manifest = _json_bytes(record)
    written = Draft(tmp)
    _write(written.manifest, manifest)
    sums = {**record["outputs"], written.manifest.name: sha256_bytes(manifest)}
    _write(written.sums, sha256sums(sums))
    _fsync_dir(tmp)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode()


def _write(path: Path, data: bytes) -> None:
    with path.open("xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# the name the build's steps call (and tests/support/killpoints.py wraps, to kill a build there)
_fsync_dir = fsync_dir


def _point_latest(year_dir: Path, target: Path) -> None:
    """`outputs/<year>/latest` → the newest draft, replaced atomically."""
    link = YearOutputs(year_dir).latest
    tmp = year_dir / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target.relative_to(year_dir))
    os.replace(tmp, link)


def _clean_temporaries(folder: Path) -> None:
    """Remove folders left by builds that died mid-write (we hold the lock)."""
    for leftover in folder.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _ensure_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(_describe_os_error(exc, path)) from exc


def _describe_os_error(exc: OSError, where: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full while writing under {where}; nothing was published"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write under {where}: {exc.strerror}; check the --outputs folder"
    return f"writing under {where} failed: {exc}"
