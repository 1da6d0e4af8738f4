"""Tables of persons, classes and guardian links, on identity's metadata (migration 0002_persons)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, String, Table, UniqueConstraint, event
from sqlalchemy.orm import relationship

from akta.db.mapping import map_aggregate, map_once
from akta.db.types import UtcDateTime
from akta_identity.adapters.orm import mapper_registry, metadata
from akta_identity.directory_sync.model import GuardianLink, Person, SchoolClass
from akta_identity.domain.model import User

school_classes = Table(
    "school_classes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("code", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("tenant_id", "code", name="uq_school_classes_tenant_code"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("external_id", String(100), nullable=False),
    Column("given_name", String(200), nullable=False),
    Column("family_name", String(200), nullable=False),
    Column("national_id", String(11), nullable=True),
    Column("class_code", String(100), nullable=True),
    Column("username", String(100), nullable=True),
    Column("user_id", String(36), ForeignKey("users.id"), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # SQLite's lower() folds only ASCII, so names are folded here for the same search on both.
    Column("search_text", String(600), nullable=False),
    UniqueConstraint("tenant_id", "kind", "external_id", name="uq_persons_tenant_kind_external_id"),
)
Index("ix_persons_tenant_names", persons.c.tenant_id, persons.c.family_name, persons.c.given_name)
Index("ix_persons_tenant_class", persons.c.tenant_id, persons.c.class_code)
Index("ix_persons_tenant_national_id", persons.c.tenant_id, persons.c.national_id)
Index("ix_persons_user", persons.c.user_id)

guardian_links = Table(
    "guardian_links",
    metadata,
    Column("tenant_id", String(64), nullable=False),
    Column("pupil_id", String(36), ForeignKey("persons.id"), primary_key=True),
    Column("guardian_id", String(36), ForeignKey("persons.id"), primary_key=True),
)
Index("ix_guardian_links_guardian", guardian_links.c.guardian_id)

def start_mappers() -> None:
    map_once(__name__, _map)


def _map() -> None:
    mapper_registry.map_imperatively(SchoolClass, school_classes)
    mapper_registry.map_imperatively(GuardianLink, guardian_links)
    map_aggregate(
        mapper_registry,
        Person,
        persons,
        properties={
            "guardian_links": relationship(
                GuardianLink,
                foreign_keys=[guardian_links.c.pupil_id],
                cascade="all, delete-orphan",
                lazy="selectin",
                order_by=guardian_links.c.guardian_id,
            ),
            # Only so that a flush inserts a new staff member's user before the person row.
            "_user": relationship(User),
        },
    )
    event.listen(Person, "before_insert", _fold_search_text)
    event.listen(Person, "before_update", _fold_search_text)


def search_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _fold_search_text(_mapper, _connection, person: Person) -> None:
    person.search_text = search_key(f"{person.given_name} {person.family_name} {person.external_id}")
