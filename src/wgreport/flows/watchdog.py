"""Stop a build whose Prefect server went away, fast, before it publishes anything.

The flow's tasks keep running without the Prefect API (their states go out as events, in
the background); only the flow's own calls need it, and Prefect's client retries each of
them for about a minute. A build whose server died therefore went on, published its
draft, and then failed minutes later with a traceback that never named the server.

`ApiWatch` polls `<api>/health` from a thread while the flow runs. When nothing has
accepted its connection for `GRACE_SECONDS` (a server restarting within that time is
tolerated; one that is there but slow to answer, on a busy machine, gets SLOW_FACTOR
times longer), it calls its `on_lost` (launch.py: one line in builds.log, one line on
stderr, exit). Publishing
waits for an answering API and holds the watch's lock while it runs, so a build is stopped
either before its draft is written or not at all (once published, the watch stands down
and the build ends as Prefect lets it). Imports no Prefect.
"""

from __future__ import annotations

import contextlib
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

#: Seconds without an answer from the API after which the build is stopped.
GRACE_SECONDS = 15.0
#: Seconds between two health checks (each waits at most HEALTH_TIMEOUT for its answer).
INTERVAL_SECONDS = 3.0
HEALTH_TIMEOUT = 2.0
#: How much longer a server that accepts connections but does not answer is waited for.
SLOW_FACTOR = 4

_current: ApiWatch | None = None


class ApiWatch:
    """Watch the Prefect API at `api_url` from a daemon thread; call `on_lost` (in that
    thread) once it has not answered for `grace` seconds."""

    def __init__(
        self,
        api_url: str,
        on_lost: Callable[[], None],
        *,
        grace: float = GRACE_SECONDS,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.on_lost = on_lost
        self.grace = grace
        self.interval = interval
        self._lock = threading.Lock()  # held while publishing, and to stop the build
        self._done = threading.Event()  # the build ended, or published: stop watching
        self.published = False
        self._thread = threading.Thread(target=self._watch, name="prefect-api-watch")
        self._thread.daemon = True

    def _answers(self) -> bool:
        return self._probe() == "ok"

    def _probe(self) -> str:
        """The API's state: "ok"; "slow" when the server is there but does not answer in time
        or answers with an error; "gone" when nothing accepts the connection."""
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=HEALTH_TIMEOUT):
                return "ok"
        except (urllib.error.HTTPError, TimeoutError):
            return "slow"
        except urllib.error.URLError as exc:
            return "slow" if isinstance(exc.reason, TimeoutError) else "gone"
        except OSError:
            return "gone"

    def _watch(self) -> None:
        last_answer = time.monotonic()
        while not self._done.wait(self.interval):
            probe = self._probe()
            if probe == "ok":
                last_answer = time.monotonic()
                continue
            # A server that is there but slow (a busy machine) gets four times longer.
            grace = self.grace if probe == "gone" else SLOW_FACTOR * self.grace
            if time.monotonic() - last_answer >= grace:
                with self._lock:  # never in the middle of publishing
                    if not self._done.is_set():
                        self.on_lost()
                return

    @contextlib.contextmanager
    def publishing(self) -> Iterator[None]:
        """Publish only while the API answers (else wait: the watch stops the build, or
        the API comes back); once published, stop watching."""
        while True:
            with self._lock:
                if self._answers():
                    try:
                        yield
                        self.published = True
                    finally:
                        self._done.set()
                    return
            time.sleep(self.interval / 3)

    def __enter__(self) -> ApiWatch:
        global _current
        _current = self
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        global _current
        self._done.set()
        _current = None


def publishing() -> contextlib.AbstractContextManager[None]:
    """The current watch's `publishing()`; nothing when no watch runs (a flow started
    otherwise than by `wgreport build`, or on Prefect's temporary server)."""
    return _current.publishing() if _current is not None else contextlib.nullcontext()
