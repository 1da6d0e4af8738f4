from datetime import timedelta
from pathlib import Path

from akta.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    service_name = "identity"

    token_private_key_file: Path | None = None
    access_token_minutes: int = 15

    @property
    def effective_private_key_file(self) -> Path:
        return self.token_private_key_file or self.data_dir / "keys" / "token-signing.pem"

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)
