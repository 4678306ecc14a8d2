"""The render workers: the processes that lay out a draft's parts (schedule.py), forked
from a server that has imported WeasyPrint, and that die with the build that started
them."""

from __future__ import annotations

import os
import signal
import sys
import threading
import weakref
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any


def _forkserver() -> Any:
    import multiprocessing

    # forkserver: workers start clean (no inherited threads or locks from Prefect), forked
    # from a server that has imported WeasyPrint once (for a server not yet started).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["wgreport.render.html", "weasyprint"])
    return context


#: The process pools of this process's renders that are running now (stop_workers).
_POOLS: weakref.WeakSet[Executor] = weakref.WeakSet()


def worker_pool(workers: int) -> Executor:
    """A pool of `workers` processes (forkserver) that die with the build; stop_workers stops it."""
    pool = ProcessPoolExecutor(workers, mp_context=_forkserver(), initializer=_worker_started)
    _POOLS.add(pool)
    return pool


def _worker_started() -> None:
    """A render worker dies with the build that started it (SIGKILL, SIGTERM or a crash).

    Its parent in the process tree is the fork server, which outlives the build as long as
    a worker holds the server's pipe; so besides asking Linux for SIGKILL when that parent
    dies (PR_SET_PDEATHSIG), a thread waits on the build's end of the pipe that
    multiprocessing gives every child (`parent_process().join()`: it returns when the build
    is gone) and kills the worker then."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        import ctypes

        parent = os.getppid()
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # it died before the request was made
            os.kill(os.getpid(), signal.SIGKILL)
    build = multiprocessing.parent_process()
    if build is not None:
        watch = threading.Thread(target=_die_with, args=(build,), name="die-with-build")
        watch.daemon = True
        watch.start()


def _die_with(build: Any) -> None:
    build.join()
    os.kill(os.getpid(), signal.SIGKILL)


def stop_workers() -> None:
    """Kill the worker processes of every render running in this process (on SIGTERM)."""
    for pool in list(_POOLS):
        kill_pool(pool)


def start_workers() -> None:
    """Start the server that the render's worker processes fork from now, without waiting
    for it: its import of WeasyPrint (1.5 s on 2 cores) then overlaps the charts and the
    context instead of delaying the first part's layout. One per process; harmless when it
    runs already or is never used."""
    from multiprocessing import forkserver

    _forkserver()
    forkserver.ensure_running()


def kill_pool(pool: Executor) -> None:
    """Stop a process pool now, its running calls included."""
    _POOLS.discard(pool)
    processes = dict(getattr(pool, "_processes", None) or {})
    for process in processes.values():
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def stop_pool(pool: Executor) -> None:
    """Stop a process pool whose calls are done."""
    _POOLS.discard(pool)
    pool.shutdown()
