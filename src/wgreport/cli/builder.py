"""`python -m wgreport.cli.builder HOME`: the warm builder of a Prefect home (runtime/warm.py).

Started by the background server's supervisor (runtime/background.py) with the
supervisor's environment: that of the build that started it, with the server's own
settings (runtime/background.SERVER_ENV), which no build reads. It imports what a build
imports, Prefect first with its console logging as a build without --verbose sets it, then
forks one child per `wgreport build` that asks it. Imports nothing heavy at module level:
render workers import the main module again.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _run(argv: list[str]) -> None:
    """In a forked child: the command, as `wgreport` runs it (raises SystemExit)."""
    from .main import app

    app(argv, prog_name="wgreport")


def main(home: Path) -> int:
    from ..runtime import warm
    from ..runtime.settings import quiet_prefect_console

    warm.remember_sources()  # before the imports: an edit during them is seen as a change
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    quiet_prefect_console()
    import prefect  # noqa: F401  (its settings and logging, from this environment)

    from ..flows import annual_report, launch  # noqa: F401
    from ..flows.caching import library_digest
    from . import main as command_line  # noqa: F401

    library_digest()  # the children inherit it: the builder stops when a source changes

    return warm.serve(home, _run)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
