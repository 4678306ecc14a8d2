"""An existing Dask cluster, for the chapters of a draft (`--dask-address`).

The library talks to the cluster with `distributed` alone (never Prefect): a client with a
connection timeout, the number of threads its workers offer, and a check, before a build
starts, that the cluster answers, has workers, and that those workers can reach the Prefect
API that the flow's tasks report to. The workers run wgreport's own module-level functions,
so they need the same wgreport install, and the inputs and templates at the same paths.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import ClusterError

if TYPE_CHECKING:
    from distributed import Client

#: Seconds to wait for the scheduler to answer before a build fails.
CONNECT_TIMEOUT_SECONDS = 10


@contextlib.contextmanager
def dask_client(address: str) -> Iterator[Client]:
    """A client of the scheduler at `address`, closed on leaving; ClusterError if it does
    not answer within CONNECT_TIMEOUT_SECONDS."""
    from distributed import Client

    timeout = CONNECT_TIMEOUT_SECONDS
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as exc:  # refused, timed out, a bad address, or not a Dask scheduler
        raise ClusterError(
            f"cannot connect to the Dask scheduler at {address} "
            f"({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    try:
        yield client
    finally:
        client.close()


def cluster_threads(client: Client, address: str) -> int:
    """The threads of every worker of the cluster: how many parts can be laid out at once;
    ClusterError when it has no workers (a task sent there would wait forever)."""
    threads = int(sum(client.nthreads().values()))
    if threads == 0:
        raise ClusterError(f"the Dask cluster at {address} has no workers")
    return threads


def api_reachable(url: str) -> bool:
    """Whether a Prefect API answers at `url` (run on each worker): any HTTP answer counts."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # it answered, if only to refuse
    except (OSError, ValueError):
        return False


def check_cluster(address: str, api_url: str | None = None) -> int:
    """The cluster's threads; ClusterError unless it answers, has workers and (with
    `api_url`) every worker can reach that Prefect API."""
    with dask_client(address) as client:
        threads = cluster_threads(client, address)
        if api_url:
            answers = client.run(api_reachable, api_url)
            cut_off = sorted(worker for worker, ok in answers.items() if not ok)
            if cut_off:
                raise ClusterError(
                    f"the Dask workers {', '.join(cut_off)} of {address} cannot reach the "
                    f"Prefect API at {api_url}; set PREFECT_API_URL to a server they can "
                    "reach (README: Running on a Dask cluster)"
                )
        return threads


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no answer"
