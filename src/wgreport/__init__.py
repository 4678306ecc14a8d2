"""wgreport: the annual report pipeline of the Digital Nations Digital Governance Working Group."""

from importlib.metadata import PackageNotFoundError, version

from .runtime.settings import disable_telemetry

# Before anything imports Prefect: no usage data leaves the machine (settings.py).
disable_telemetry()

try:
    __version__ = version("wgreport")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
