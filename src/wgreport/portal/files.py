"""Files the portal writes: whole or not at all, readable by their owner only; a full disk
named as such."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
from pathlib import Path

from ..build.publish import fsync_dir
from ..errors import DiskFull


def is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower()


def private_file(path: Path) -> None:
    """Create `path` (empty) readable by its owner only, when it does not exist."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def private_dirs(folder: Path, root: Path) -> None:
    """Make `folder` and every folder between `root` and it, each readable by its owner
    only (mkdir's `parents` would give the ones between the default mode)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in [folder, *folder.parents]:
        if path == root or root not in path.parents:
            break
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `path` whole or not at all: a temporary file beside it (a unique name, mode
    `mode`), synced, renamed over, the folder synced. On any error the temporary file is
    removed; a full disk raises DiskFull."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if is_full(exc):
            raise DiskFull(f"no space left on the portal's disk to write {path.name}") from exc
        raise
