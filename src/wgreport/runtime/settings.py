"""One typed settings model; every path derives from the project root."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr


def project_root() -> Path:
    """The project folder (templates, prefect.toml, .prefect/): WGREPORT_ROOT or the source tree."""
    env = os.environ.get("WGREPORT_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[3]


#: The portal's address in e-mails when WGREPORT_PORTAL_URL is not set: where
#: `wgreport portal` listens by default.
DEFAULT_PORTAL_URL = "http://127.0.0.1:8080"
#: The sender of e-mails when WGREPORT_MAIL_FROM is not set (outbox only: sending over SMTP
#: needs a real address).
DEFAULT_MAIL_FROM = "wgreport@localhost"


class MailSettings(BaseModel):
    """How e-mails go out: over SMTP when a host is set, else into the outbox folder."""

    model_config = ConfigDict(frozen=True)

    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server ($WGREPORT_SMTP_HOST). None: messages are written to "
        "outputs/outbox/ as .eml files instead of sent.",
    )
    smtp_port: int = Field(default=587, description="Its port ($WGREPORT_SMTP_PORT).")
    smtp_user: str | None = Field(default=None, description="Sign-in name ($WGREPORT_SMTP_USER).")
    smtp_password: SecretStr | None = Field(
        default=None, description="Sign-in password ($WGREPORT_SMTP_PASSWORD); never shown."
    )
    smtp_starttls: bool = Field(
        default=True,
        description="Switch to TLS before signing in and sending ($WGREPORT_SMTP_STARTTLS, "
        "default on; 0 turns it off, e.g. for a relay on this machine).",
    )
    smtp_timeout: float = Field(
        default=30.0, description="Seconds to wait for the server ($WGREPORT_SMTP_TIMEOUT)."
    )
    sender: str = Field(
        default=DEFAULT_MAIL_FROM, description="The From address ($WGREPORT_MAIL_FROM)."
    )
    portal_url: str = Field(
        default=DEFAULT_PORTAL_URL,
        description="The portal's address that messages link to ($WGREPORT_PORTAL_URL).",
    )


def _flag(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def mail_settings() -> MailSettings:
    """The e-mail settings from the environment (WGREPORT_SMTP_*, WGREPORT_MAIL_FROM,
    WGREPORT_PORTAL_URL)."""
    env = os.environ
    password = env.get("WGREPORT_SMTP_PASSWORD")
    return MailSettings(
        smtp_host=env.get("WGREPORT_SMTP_HOST") or None,
        smtp_port=int(env.get("WGREPORT_SMTP_PORT") or 587),
        smtp_user=env.get("WGREPORT_SMTP_USER") or None,
        smtp_password=SecretStr(password) if password else None,
        smtp_starttls=_flag(env.get("WGREPORT_SMTP_STARTTLS", "1")),
        smtp_timeout=float(env.get("WGREPORT_SMTP_TIMEOUT") or 30),
        sender=env.get("WGREPORT_MAIL_FROM") or DEFAULT_MAIL_FROM,
        portal_url=(env.get("WGREPORT_PORTAL_URL") or DEFAULT_PORTAL_URL).rstrip("/"),
    )


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
    document_time_limit: float = Field(
        default=1800.0,
        description="Seconds a one-pass render (a final, or --workers 1) may take "
        "($WGREPORT_DOCUMENT_TIME_LIMIT). On overrun it is stopped and the chapters are timed "
        "one by one: a member's chapter over the chapter limit is left out of a draft, and "
        "refuses a final unless --allow-missing names the member; 0 sets no limit.",
    )
    dask_address: str | None = Field(
        default=None,
        description="The scheduler of an existing Dask cluster, e.g. tcp://HOST:8786 "
        "(--dask-address, $WGREPORT_DASK_ADDRESS): the flow validates the contributions and "
        "lays out a draft's chapters on its workers. None: everything runs on this machine.",
    )
    cache_root: Path | None = Field(
        default=None,
        description="The build cache's folder ($WGREPORT_CACHE_DIR) when it is not "
        "outputs/.cache: one cache shared by several output folders or checkouts (a CI "
        "machine's, a test session's). Its entries are keyed by the digest of what they are "
        "made of, so sharing never gives one build another's content, only its time.",
    )
    mail: MailSettings = Field(
        default_factory=MailSettings,
        description="How e-mails go out (default: into outputs/outbox/, nothing sent).",
    )

    @property
    def templates_dir(self) -> Path:
        """Templates always come from the project, never from the inputs."""
        return self.root / "templates"

    @property
    def cache_dir(self) -> Path:
        """The content-addressed cache (wgreport.cache) of earlier builds' figures (charts/)
        and chapter layouts and PDFs (parts/), keyed by the digest of what they are made of:
        `cache_root` when set, else `.cache/` in the outputs."""
        return self.cache_root or self.outputs_dir / ".cache"

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
        document_time_limit=float(os.environ.get("WGREPORT_DOCUMENT_TIME_LIMIT", "1800") or 0),
        dask_address=dask_address,
        cache_root=cache_root_from_env(),
        mail=mail_settings(),
    )


def cache_root_from_env() -> Path | None:
    """$WGREPORT_CACHE_DIR as an absolute path, or None (the outputs' .cache/)."""
    folder = os.environ.get("WGREPORT_CACHE_DIR", "").strip()
    return Path(folder).expanduser().resolve() if folder else None


#: Prefect settings for every Prefect process wgreport starts, mirrored in prefect.toml.
PREFECT_SETTINGS: dict[str, str] = {
    # No usage analytics leave a member state's machine (and see TELEMETRY_OFF).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The temporary server needed 11–27 s to start on a busy 2-core machine and failed at
    # the default 20 s; give it room.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}

#: Prefect settings for the temporary server of one run (`wgreport build`, `status
#: --flow`), which Prefect starts for the run and stops after it. Not in prefect.toml:
#: `wgreport server` and `prefect server start` run from the project folder read that file
#: too, and a long-lived server needs both services.
TEMPORARY_SERVER: dict[str, str] = {
    # Automations (reactive and proactive triggers and their actions): the project defines
    # none, and a temporary server stops seconds after its run, before a proactive trigger
    # could fire. Saves their start-up and the evaluation loop every 5 s during the build.
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # The stream of events out to websocket subscribers (the UI's event feed, `prefect
    # events stream`, futures of tasks run by task workers): nothing can subscribe to a
    # server on a random port that lives for one build, and the flow's thread-pool futures
    # never do. The events are still stored (the event persister), and the
    # task-run recorder still writes every task run from them: the run history is complete.
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
}


#: Prefect's console log handlers quiet: a build without --verbose shows its own stages and
#: errors, and Prefect's log lines still reach its UI. Defaults, set before Prefect's import
#: (it reads its logging settings then).
QUIET_PREFECT_CONSOLE: dict[str, str] = {
    f"PREFECT_LOGGING_HANDLERS_{handler}_LEVEL": "CRITICAL"
    for handler in ("CONSOLE", "CONSOLE_FLOW_RUNS", "CONSOLE_TASK_RUNS")
}


def quiet_prefect_console() -> None:
    """QUIET_PREFECT_CONSOLE as defaults of this process's environment (explicit settings
    win), before Prefect is imported."""
    for name, value in QUIET_PREFECT_CONSOLE.items():
        os.environ.setdefault(name, value)


#: What keeps usage data on the machine, forced in every process wgreport runs or starts:
#: the server's telemetry service off, and the client's (Prefect's SDK analytics, which on
#: a terminal's first `import prefect` prints a notice and sends events to its analytics
#: service) off by the DO_NOT_TRACK convention it honours.
TELEMETRY_OFF: dict[str, str] = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def disable_telemetry() -> None:
    """Turn Prefect's usage analytics off in this process and the processes it starts.

    Called when the package is imported, so before Prefect is (Prefect decides at its own
    import whether to show its notice and send events). Forced, not a default: the README
    promises that nothing leaves the machine, whatever the environment says.
    """
    os.environ.update(TELEMETRY_OFF)


def configure_prefect_environment(settings: Settings, *, temporary_server: bool) -> None:
    """Defaults for Prefect, set in the environment before Prefect is imported.

    PREFECT_HOME is the project's .prefect/ and PREFECT_SETTINGS apply to every command.
    They mirror prefect.toml, which Prefect reads only from the current folder; setting them
    here makes `wgreport build` behave the same from any folder. With `temporary_server`
    (a command that runs a flow, on the embedded default unless PREFECT_API_URL is set), so
    do TEMPORARY_SERVER's, which Prefect passes on to the temporary server it starts; not for
    `wgreport server`. Explicit settings win.
    """
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    for name, value in PREFECT_SETTINGS.items():
        os.environ.setdefault(name, value)
    if temporary_server:
        for name, value in TEMPORARY_SERVER.items():
            os.environ.setdefault(name, value)
