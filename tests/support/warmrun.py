"""Commands for a warm builder under test (tests/unit/runtime/test_warm.py): what a forked
child sees and does, without Prefect. `python -P -m tests.support.warmrun HOME` serves."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path


class _Terminated(Exception):
    pass


def run(argv: list[str]) -> None:
    """The command `argv` in a child of the builder (exits through SystemExit)."""
    command, *rest = argv
    if command == "show":  # what the child took on from its caller
        umask = os.umask(0)
        os.umask(umask)
        seen = {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "pgid": os.getpgid(0),
            "cwd": os.getcwd(),
            "umask": umask,
            "argv": sys.argv,
            "env": os.environ.get("WARM_TEST_VALUE"),
            "loaded": [name for name in rest if name in sys.modules],
            "tty": sys.stdout.isatty(),
        }
        print(json.dumps(seen))
        sys.stderr.write("on stderr\n")
        raise SystemExit(int(os.environ.get("WARM_TEST_EXIT", "0")))
    if command == "import":  # a module the builder should learn
        __import__(rest[0])
        return
    if command == "wait":  # until SIGTERM, which it reports (not from its handler: the
        # signal may come while the line before is being written)

        def on_term(signum: int, _frame: object) -> None:
            raise _Terminated(signum)

        signal.signal(signal.SIGTERM, on_term)
        try:
            print(f"waiting {os.getpid()}", flush=True)
            time.sleep(60)
        except _Terminated as exc:
            print(f"got signal {exc.args[0]}", flush=True)
            raise SystemExit(128 + exc.args[0]) from None
        raise SystemExit(0)
    raise SystemExit(f"unknown test command {command}")


if __name__ == "__main__":
    from wgreport.runtime import warm

    sys.exit(warm.serve(Path(sys.argv[1]), run))
