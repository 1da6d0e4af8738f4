"""The composition root of the cases service."""

from __future__ import annotations

from pathlib import Path

from akta.access import replica as access_replica
from akta.contracts.audit import CasesAuditRecorded
from akta.contracts.cases import (
    ArchiveClassSaved,
    CaseArchived,
    CaseClosed,
    CaseCreated,
    CaseLinked,
    CaseNoteAdded,
    CaseReopened,
    CaseTemplateSaved,
    CaseUpdated,
    PartyAdded,
    PartyRemoved,
    RegistrationChanged,
    RegistrationCreated,
    RegistrationStatusChanged,
    TaskAssigned,
    TaskCancelled,
    TaskChanged,
    TaskCompleted,
    TaskCreated,
    TaskReopened,
    WorkflowFinished,
    WorkflowStarted,
    WorkflowStepDecided,
)
from akta.service import Service
from akta_cases.documents import handlers as documents
from akta_cases.entrypoints.api import create_api
from akta_cases.service_layer.unit_of_work import CasesUnitOfWork
from akta_cases.settings import CasesSettings
from akta_cases.tasks.notifier import notifier

PUBLISHED_EVENTS = (
    CaseCreated,
    CaseUpdated,
    CaseClosed,
    CaseReopened,
    CaseArchived,
    CaseLinked,
    CaseNoteAdded,
    ArchiveClassSaved,
    CaseTemplateSaved,
    PartyAdded,
    PartyRemoved,
    RegistrationCreated,
    RegistrationChanged,
    RegistrationStatusChanged,
    TaskCreated,
    TaskAssigned,
    TaskChanged,
    TaskCompleted,
    TaskCancelled,
    TaskReopened,
    WorkflowStarted,
    WorkflowStepDecided,
    WorkflowFinished,
    CasesAuditRecorded,
)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
EVENT_HANDLERS = {**access_replica.HANDLERS, **documents.HANDLERS}


def bootstrap(settings: CasesSettings | None = None) -> Service:
    return Service(
        settings or CasesSettings(),
        MIGRATIONS_DIR,
        PUBLISHED_EVENTS,
        CasesUnitOfWork,
        build_api=create_api,
        event_handlers=EVENT_HANDLERS,
        background_loops=(notifier,),
    )
