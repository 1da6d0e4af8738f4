"""Use cases of the directory sync."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from akta import audit
from akta.errors import NotFound
from akta_identity.directory_sync import applier, planner
from akta_identity.directory_sync.model import DirectoryImport, Person, SchoolClass
from akta_identity.directory_sync.planner import Plan, StoredDirectory


@dataclass(frozen=True)
class SyncReport:
    plan: Plan
    notes: tuple[str, ...]
    dry_run: bool
    full: bool


def organisation_id(slug: str, uow) -> str:
    with uow:
        organisation = uow.directory.organisation_by_slug(slug)
        if organisation is None:
            raise NotFound(f"no organisation {slug!r}")
        return organisation.id


def sync_persons(
    tenant_id: str, incoming: DirectoryImport, uow, full: bool = False, dry_run: bool = False
) -> SyncReport:
    """Plan and apply an import in one transaction: all of it or, on any error, none of it."""
    with uow:
        uow.persons.lock_directory(tenant_id)
        classes = {school_class.code: school_class for school_class in uow.persons.classes(tenant_id)}
        persons = {(person.kind, person.external_id): person for person in uow.persons.persons(tenant_id)}
        plan = planner.plan(incoming, _stored(classes, persons), full)
        # A dry run applies too and then rolls back, so it meets every error a real run would.
        notes = applier.apply(plan, tenant_id, classes, persons, uow, datetime.now(UTC))
        if not dry_run:
            _audit_import(uow, tenant_id, "import", plan, full)
            uow.commit()
    if dry_run:
        with uow:
            _audit_import(uow, tenant_id, "preview_import", plan, full)
            uow.commit()
    return SyncReport(plan, tuple(notes), dry_run, full)


def _audit_import(uow, tenant_id: str, action: str, plan: Plan, full: bool) -> None:
    audit.record(
        uow, tenant_id, action, "directory", tenant_id, full=full, created=plan.count("create"),
        updated=plan.count("update"), deactivated=plan.count("deactivate"), unchanged=plan.unchanged,
    )


def _stored(classes: dict[str, SchoolClass], persons: dict[tuple[str, str], Person]) -> StoredDirectory:
    external_ids = {person.id: person.external_id for person in persons.values()}
    return StoredDirectory(
        classes={code: school_class.as_record() for code, school_class in classes.items()},
        persons={
            key: person.as_record(tuple(external_ids[guardian_id] for guardian_id in person.guardian_ids))
            for key, person in persons.items()
        },
    )
