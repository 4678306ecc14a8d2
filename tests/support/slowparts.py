"""A render worker whose layout of one chapter hangs: for the render time-limit tests.

`pool(workers)` stands in for `wgreport.render.pdf.schedule.worker_pool` (from workers.py): its workers lay out every part
(and render one pass) as usual, except when the HTML holds the chapter of member KR
(`<section ... id="member-kr"`), where the worker writes its pid to
`$WGREPORT_TEST_SLOW_PIDS` and sleeps for ten minutes.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

SLOW_SECTION = '<section class="chapter member" id="member-kr"'


def _slow(real: Any, pid_file: str) -> Any:
    def slow(html: str, *args: Any, **kwargs: Any) -> Any:
        if SLOW_SECTION in html:
            with open(pid_file, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
            time.sleep(600)
        return real(html, *args, **kwargs)

    return slow


def _install(pid_file: str) -> None:
    from wgreport.render import html as render
    from wgreport.render.pdf import schedule

    # schedule calls its own import of render.layout_pdf, a name it does not re-export:
    # that binding is the one a worker looks up, so it is the one replaced.
    schedule.layout_pdf = _slow(schedule.layout_pdf, pid_file)  # type: ignore[attr-defined]
    render.render_pdf = _slow(render.render_pdf, pid_file)


def pool(workers: int) -> Executor:
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=_install,
        initargs=(os.environ["WGREPORT_TEST_SLOW_PIDS"],),
    )
