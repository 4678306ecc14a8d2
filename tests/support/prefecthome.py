"""A Prefect database already migrated, made once per test session and copied wherever a
test starts a Prefect server on a fresh database.

A server started on an empty PREFECT_HOME (or Prefect's test harness, on its own new
database) first runs Prefect's migrations: 10 to 15 s of a 2-core machine before it
answers, measured at 19.7 s against 7.4 s for the same start on a copy of a migrated
database. The suite starts several (the harness in each xdist worker, the background
servers of test_background.py and test_flow_e2e.py, the server that dies in
test_build_faults.py); they now migrate once between them. A copy is a database as
Prefect's own `prefect server database upgrade` leaves it: what the server does at
start (the migrations it finds done, the block types it registers) is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

DATABASE = "prefect.db"


def migrate(home: Path) -> Path:
    """A new database in `home`, migrated by Prefect's command line to the newest revision."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    database = home / DATABASE
    assert database.is_file(), f"no {DATABASE} in {home}: {done.stdout}"
    return database


def seed(home: Path, database: Path) -> Path:
    """`home` as a PREFECT_HOME whose database is a copy of the migrated `database`."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, home / DATABASE)
    return home


@contextlib.contextmanager
def harness_on(database: Path, folder: Path, timeout: int) -> Iterator[None]:
    """Prefect's test harness (`prefect_test_harness`) on a copy of `database` in `folder`:
    the harness makes its database file in a new temporary folder (`mkdtemp`), here the
    folder that already holds the copy under the name it uses."""
    import prefect.testing.utilities as utilities

    shutil.copyfile(database, folder / "prefect-test.db")
    with (
        mock.patch.object(utilities, "mkdtemp", lambda: str(folder)),
        utilities.prefect_test_harness(server_startup_timeout=timeout),
    ):
        yield
