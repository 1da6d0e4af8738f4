from datetime import timedelta

from pydantic import Field

from akta.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    service_name = "gateway"

    host: str = "127.0.0.1"
    port: int = 8000
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        description='Real mode: where each service answers, e.g. {"cases": "http://cases:8000"}.',
    )
    load_demo_data: bool = True
    session_idle_minutes: int = Field(default=480, gt=0, description="A web session ends after this long unused.")
    session_absolute_hours: int = Field(default=24, gt=0, description="A web session ends this long after sign-in.")
    session_cookie_secure: bool = Field(
        default=False,
        description="Always mark the session cookie Secure (set it when TLS ends in front of the gateway).",
    )

    @property
    def session_idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)
