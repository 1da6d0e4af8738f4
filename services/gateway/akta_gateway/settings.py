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
