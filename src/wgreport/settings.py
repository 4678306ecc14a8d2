"""One typed settings model; every path derives from the project root."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


def project_root() -> Path:
    """The project folder (templates, prefect.toml, .prefect/): WGREPORT_ROOT or the source tree."""
    env = os.environ.get("WGREPORT_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


class Settings(BaseModel):
    """Where wgreport reads and writes. CLI options default from these values."""

    model_config = ConfigDict(frozen=True)

    root: Path = Field(description="The project folder: templates and Prefect state live here.")
    inputs_dir: Path = Field(description="What people supply (--inputs); never written by code.")
    outputs_dir: Path = Field(description="Everything the pipeline writes (--outputs).")
    render_workers: int = Field(
        default=0,
        description="Processes for a draft's PDF (--workers, $WGREPORT_RENDER_WORKERS): "
        "1 renders in one pass; 0 (auto) renders chapters in parallel on every core.",
    )
    chapter_time_limit: float = Field(
        default=300.0,
        description="Seconds a chapter may take to lay out in a parallel draft render "
        "($WGREPORT_CHAPTER_TIME_LIMIT): a member's chapter that takes longer is left out "
        "and reported as not rendered; 0 sets no limit.",
    )
    dask_address: str | None = Field(
        default=None,
        description="The scheduler of an existing Dask cluster, e.g. tcp://HOST:8786 "
        "(--dask-address, $WGREPORT_DASK_ADDRESS): the flow validates the contributions and "
        "lays out a draft's chapters on its workers. None: everything runs on this machine.",
    )

    @property
    def templates_dir(self) -> Path:
        """Templates always come from the project, never from the inputs."""
        return self.root / "templates"

    @property
    def parts_cache(self) -> Path:
        """Chapter layouts and PDFs of earlier builds (parallel.py), keyed by content."""
        return self.outputs_dir / ".cache" / "parts"

    @property
    def charts_cache(self) -> Path:
        """Figures of earlier builds (pipeline.cached_charts), keyed by their data."""
        return self.outputs_dir / ".cache" / "charts"

    @property
    def prefect_home(self) -> Path:
        """Prefect's database, results and logs for the embedded server."""
        return self.root / ".prefect"


def get_settings(
    inputs: Path | None = None,
    outputs: Path | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
) -> Settings:
    """Settings from the command line, the environment, or the defaults (paths from the cwd)."""
    root = project_root()
    if workers is None:
        workers = int(os.environ.get("WGREPORT_RENDER_WORKERS", "0") or 0)
    if dask_address is None:
        dask_address = os.environ.get("WGREPORT_DASK_ADDRESS") or None
    return Settings(
        root=root,
        inputs_dir=(inputs or Path(os.environ.get("WGREPORT_INPUTS", "inputs"))).resolve(),
        outputs_dir=(outputs or Path(os.environ.get("WGREPORT_OUTPUTS", "outputs"))).resolve(),
        render_workers=workers,
        chapter_time_limit=float(os.environ.get("WGREPORT_CHAPTER_TIME_LIMIT", "300") or 0),
        dask_address=dask_address,
    )


def configure_prefect_environment(settings: Settings) -> None:
    """Defaults for the embedded Prefect server, set before Prefect is imported.

    They mirror prefect.toml, which Prefect reads only from the current folder; setting them
    here makes `wgreport build` behave the same from any folder. Explicit settings win.
    """
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
