"""One settings object for a run: flags over ``FAZHI_*`` environment variables over defaults.

The CLI builds a :class:`Settings` once (``Settings.load(lake=..., ner_model=...)``)
and passes it down: to the flows as a parameter (so Prefect records it and Dask
workers receive it), to the stages, to fetching and to the lake's lock. Nothing
else reads ``FAZHI_*`` variables, and nothing writes ``os.environ`` to pass an
option on.

Every field can be set in the environment as ``FAZHI_<FIELD>`` (``FAZHI_LAKE``,
``FAZHI_NER_MODEL``, ``FAZHI_HTTP_TIMEOUT`` …); a flag given on the command
line wins over the environment.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# the defaults and the lake's directory need no pydantic (what `fazhi sql` imports): fazhi.defaults
from fazhi.defaults import (  # noqa: F401  (re-exported: fazhi.settings is where callers look)
    DEFAULT_LAKE,
    HTTP_TIMEOUT_S,
    LAKE_ENV,
    MAX_DOWNLOAD_BYTES,
    PROJECT_ROOT,
    USER_AGENT,
    lake_dir,
    samples_dir,
)


class Settings(BaseSettings):
    """What a run needs to know beyond its sources. Immutable; ``replace()`` gives a changed copy."""

    model_config = SettingsConfigDict(env_prefix="FAZHI_", frozen=True, extra="ignore")

    lake: Path = Field(Path(DEFAULT_LAKE), description="the lake directory")
    rules: Optional[Path] = Field(None, description="a rules folder instead of the bundled extractors/rules")
    ner_model: str = Field("rules", description="NER pipeline: rules (default), fazhi (rules + the trained ner), none, or an installed zh_core_web_*")
    lock_timeout: float = Field(600.0, ge=0, description="seconds to wait for another run writing the same lake")
    progress: Optional[bool] = Field(None, description="progress bar: None = only on a terminal")
    verbose: bool = Field(False, description="Prefect's INFO lines and tracebacks on the console")
    # fetching
    http_timeout: float = Field(HTTP_TIMEOUT_S, gt=0, description="connect/read/write timeout, each (s)")
    http_deadline: float = Field(300.0, gt=0, description="deadline for a whole response, headers and body (s)")
    http_retries: int = Field(3, ge=0, description="extra attempts after the first")
    http_backoff: float = Field(1.0, ge=0, description="first retry delay (s), doubling")
    max_download_bytes: int = Field(MAX_DOWNLOAD_BYTES, gt=0, description="size cap of one download")
    host_delay: float = Field(1.0, ge=0, description="seconds between two requests to one host")
    allow_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDRs that fetching may reach though not public (loopback, private, link-local and "
                    "reserved addresses are refused otherwise); env: comma-separated or a JSON list")
    # per-document budgets (fazhi.pipeline.budget): a stage past them is a failures row
    budget_seconds: float = Field(120.0, gt=0, description="time budget of the clean and extract stages, per document (s)")
    budget_ingest_seconds: float = Field(1800.0, gt=0, description="time budget of the ingest stage, per document (s)")
    budget_ner_seconds: float = Field(300.0, gt=0, description="time budget of the NER stage, per document (s); its memory budget is budget_memory_mb")
    budget_memory_mb: int = Field(4096, gt=0, description="memory budget of a stage, per document (MiB above the worker's start)")
    # Prefect
    prefect_server: str = Field(
        "auto", description="auto: PREFECT_API_URL if set, else a server answering at prefect_server_url, "
                            "else a temporary one; 'temporary': always a temporary server; or an API URL")
    prefect_server_url: str = Field("http://127.0.0.1:4200/api",
                                    description="where `prefect server start` (and `fazhi serve`) listens")
    prefect_startup_timeout: float = Field(600.0, gt=0,
                                           description="seconds a temporary Prefect server may take to start")

    @field_validator("allow_networks", mode="before")
    @classmethod
    def _networks(cls, v: Any) -> Any:
        if isinstance(v, str):
            import json

            text = v.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        return v

    @field_validator("allow_networks", mode="after")
    @classmethod
    def _valid_networks(cls, v: list[str]) -> list[str]:
        import ipaddress

        for spec in v:
            ipaddress.ip_network(spec, strict=False)  # ValueError: a bad CIDR is an error at start
        return v

    @field_validator("lake", mode="after")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @classmethod
    def load(cls, **flags: Any) -> "Settings":
        """Settings from flags (None means not given), then the environment, then defaults."""
        return cls(**{k: v for k, v in flags.items() if v is not None})

    def replace(self, **changes: Any) -> "Settings":
        return self.model_copy(update=changes)

    @property
    def rules_dir(self) -> str | None:
        return str(Path(self.rules).resolve()) if self.rules else None
