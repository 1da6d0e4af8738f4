from typing import Literal

from pydantic import Field, SecretStr

from akta.settings import ServiceSettings


class CasesSettings(ServiceSettings):
    service_name = "cases"

    # E-mail notifications (tasks, workflows, deadlines), sent by the notifier in the worker process.
    smtp_host: str = Field(default="", description="SMTP server; empty turns e-mail notifications off.")
    smtp_port: int = Field(default=587, description="465 means TLS from the start; other ports use smtp_starttls.")
    smtp_username: str = Field(default="", description="Empty: send without logging in.")
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS before sending.")
    smtp_timeout_seconds: float = 10.0
    mail_from: str = Field(default="akta@localhost", description="Sender address of notification e-mails.")
    mail_language: Literal["da", "nb", "en"] = Field(default="da", description="Language of notification e-mails.")
    mail_max_attempts: int = Field(default=6, description="Attempts before an e-mail is marked failed.")
    mail_retry_seconds: float = Field(default=60.0, description="Wait before the first retry; doubles each time.")
    notifier_interval_seconds: float = Field(default=5.0, description="How often pending e-mails are sent.")
    deadline_check_seconds: float = Field(default=300.0, description="How often deadline reminders are made.")
