"""Settings shared by every service, read from the environment once per process.

Each service subclasses `ServiceSettings` and sets `service_name`; a variable
`AKTA_<SERVICE>_<NAME>` overrides the installation-wide `AKTA_<NAME>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AKTA_", extra="ignore")

    service_name: ClassVar[str] = ""

    mode: Literal["embedded", "real"] = "embedded"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; embedded default is a SQLite file per service in data_dir.",
    )
    database_pool_size: int = Field(default=5, description="Connections each process keeps open.")
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema of this service; defaults to its name."
    )
    bus_url: str = Field(default="memory://", description="amqp://… for RabbitMQ, memory:// embedded.")
    bus_namespace: str = Field(default="akta", description="Prefix of every exchange and queue name.")
    bus_prefetch: int = 200
    bus_retry_delays: tuple[float, ...] = (0.5, 2.0, 10.0)
    bus_reconnect_seconds: float = 1.0
    relay_batch_size: int = 1000
    relay_idle_seconds: float = 0.2
    log_format: Literal["console", "json"] | None = None
    log_level: str = "INFO"
    token_public_key_file: Path | None = None
    trusted_proxy_hops: int = Field(
        default=0,
        description="Proxies in front of the service (gateway, ingress) whose X-Forwarded-For to believe.",
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        per_service = EnvSettingsSource(
            settings_cls, env_prefix=f"AKTA_{cls.service_name.upper()}_", case_sensitive=False
        )
        return (init_settings, per_service, env_settings, dotenv_settings, file_secret_settings)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.mode == "real":
            # A silent SQLite file in a container would lose data at the next restart.
            raise SystemExit(f"{self.service_name}: real mode needs AKTA_DATABASE_URL")
        return f"sqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    @property
    def effective_database_schema(self) -> str | None:
        if self.effective_database_url.startswith("sqlite"):
            return None
        return self.database_schema or self.service_name

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("console" if self.mode == "embedded" else "json")
