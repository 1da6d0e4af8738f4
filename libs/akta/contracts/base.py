"""The base of every message on the bus and its CloudEvents 1.0 envelope."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

# Plain groups only: the pattern is also exported into JSON Schema for other languages.
EVENT_TYPE_PATTERN = re.compile(r"^[a-z]+\.[a-z_.]+\.[a-z_]+\.v[0-9]+$")


class Event(BaseModel):
    """Data of one event type. Subclasses set `event_type` as `<service>.<entity>.<verb>.v<N>`
    and `subject_field`, the field naming the entity the event is about."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    subject_field: ClassVar[str]
    summary: ClassVar[str] = ""

    @classmethod
    def producer(cls) -> str:
        return cls.event_type.split(".", 1)[0]

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


class Envelope(BaseModel):
    """CloudEvents 1.0 structured JSON, with Akta's extension attributes."""

    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(pattern=r"^/akta/[a-z]+$")
    type: str = Field(pattern=EVENT_TYPE_PATTERN.pattern)
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    tenant: str = Field(min_length=1)
    actor: str = Field(min_length=1)
    correlationid: str = Field(min_length=1)
    causationid: str | None = None

    @classmethod
    def wrap(
        cls,
        event: Event,
        *,
        tenant: str,
        actor: str,
        correlation_id: str,
        causation_id: str | None = None,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> Envelope:
        return cls(
            id=event_id or str(uuid.uuid4()),
            source=f"/akta/{event.producer()}",
            type=event.event_type,
            time=time or datetime.now(UTC),
            subject=event.subject(),
            data=event.model_dump(mode="json"),
            tenant=tenant,
            actor=actor,
            correlationid=correlation_id,
            causationid=causation_id,
        )

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)
