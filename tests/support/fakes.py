"""In-memory adapters for unit tests: they subclass the real ports, nothing is mocked."""

from __future__ import annotations

from akta.contracts import Envelope
from akta.db.unit_of_work import UnitOfWork
from akta_cases.adapters.repository import CaseRepository
from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate
from akta_cases.domain.model import Case, CaseNumber
from akta_cases.tasks.model import Task, Workflow
from akta_cases.tasks.repository import TaskRepository
from akta_retention.adapters.repository import RetentionEntryRepository
from akta_retention.domain.model import RetentionEntry


class FakeCaseRepository(CaseRepository):
    def __init__(self) -> None:
        super().__init__()
        self.cases: dict[tuple[str, str], Case] = {}
        self.sequences: dict[tuple[str, int], int] = {}

    def next_number(self, tenant_id: str, year: int) -> CaseNumber:
        self.sequences[(tenant_id, year)] = self.sequences.get((tenant_id, year), 0) + 1
        return CaseNumber(year, self.sequences[(tenant_id, year)])

    def _add(self, case: Case) -> None:
        self.cases[(case.tenant_id, case.id)] = case

    def _get(self, tenant_id: str, case_id: str) -> Case | None:
        return self.cases.get((tenant_id, case_id))


class FakeRetentionEntryRepository(RetentionEntryRepository):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[RetentionEntry] = []

    def load_items(self, tenant_id, item_kind, item_ids):
        pass  # everything is in memory already

    def for_item(self, tenant_id, item_kind, item_id):
        return next(
            (e for e in self.entries if (e.tenant_id, e.item_kind, e.item_id) == (tenant_id, item_kind, item_id)),
            None,
        )

    def _add(self, entry: RetentionEntry) -> None:
        self.entries.append(entry)


class FakeUnitOfWork(UnitOfWork):
    """Keeps what a commit would write; `outbox` holds committed envelopes only."""

    def __init__(self, publishes, **repositories) -> None:
        super().__init__(publishes)
        self.repositories = repositories
        for name, repository in repositories.items():
            setattr(self, name, repository)
        self.outbox: list[Envelope] = []
        self.consumed: set[tuple[str, str]] = set()
        self.commits = 0
        self._staged: list[Envelope] = []
        self._staged_consumed: list[tuple[str, str]] = []

    def seen_aggregates(self):
        for repository in self.repositories.values():
            yield from repository.seen

    def handled_already(self, consumer: str, event_ids: list[str]) -> set[str]:
        return {event_id for event_id in event_ids if (consumer, event_id) in self.consumed}

    def mark_consumed(self, consumer: str, envelope: Envelope) -> None:
        self._staged_consumed.append((consumer, envelope.id))

    def _add_to_outbox(self, envelope: Envelope) -> None:
        self._staged.append(envelope)

    def _commit(self) -> None:
        staged = set(self._staged_consumed)
        if len(staged) < len(self._staged_consumed) or staged & self.consumed:
            raise RuntimeError("inbox primary key violated: an event was handled twice")
        self.consumed.update(self._staged_consumed)
        self.outbox.extend(self._staged)
        self._staged, self._staged_consumed = [], []
        self.commits += 1

    def rollback(self) -> None:
        self._staged, self._staged_consumed = [], []


class FakeArchivePlanRepository:
    """Templates and classes held in dicts; `add` them directly in tests."""

    def __init__(self, *items) -> None:
        self.templates: dict[tuple[str, str], CaseTemplate] = {}
        self.classes: dict[tuple[str, str], ArchiveClass] = {}
        self.seen: set = set()
        for item in items:
            self.add(item)

    def add(self, item) -> None:
        target = self.templates if isinstance(item, CaseTemplate) else self.classes
        target[(item.tenant_id, item.id)] = item

    def template(self, tenant_id: str, template_id: str) -> CaseTemplate | None:
        return self.templates.get((tenant_id, template_id))

    def archive_class(self, tenant_id: str, class_id: str) -> ArchiveClass | None:
        return self.classes.get((tenant_id, class_id))

    def lineage(self, tenant_id: str, class_id: str) -> list[ArchiveClass]:
        chain, current = [], self.archive_class(tenant_id, class_id)
        while current is not None:
            chain.append(current)
            current = self.archive_class(tenant_id, current.parent_id) if current.parent_id else None
        return chain


class FakeTaskRepository(TaskRepository):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], Task | Workflow] = {}
        self.notifications: list[dict] = []
        self.emails: dict[tuple[str, str], str] = {}

    def open_on_case(self, tenant_id: str, case_id: str) -> list[dict]:
        return [
            item.as_open_task() for (tenant, _), item in self.items.items()
            if tenant == tenant_id and isinstance(item, Task) and item.case_id == case_id and item.status == "open"
        ]

    def add_notification(self, row: dict) -> bool:
        key = row.get("dedup_key")
        if key and any((n["tenant_id"], n["user_id"], n["dedup_key"]) == (row["tenant_id"], row["user_id"], key) for n in self.notifications):
            return False
        self.notifications.append(row)
        return True

    def notification_email(self, tenant_id: str, user_id: str) -> str | None:
        return self.emails.get((tenant_id, user_id))

    def _add(self, item: Task | Workflow) -> None:
        self.items[(item.tenant_id, item.id)] = item

    def _get(self, tenant_id: str, task_id: str) -> Task | None:
        found = self.items.get((tenant_id, task_id))
        return found if isinstance(found, Task) else None

    def _workflow(self, tenant_id: str, workflow_id: str) -> Workflow | None:
        found = self.items.get((tenant_id, workflow_id))
        return found if isinstance(found, Workflow) else None

    def _of_workflow(self, tenant_id: str, workflow_id: str) -> list[Task]:
        return [i for (t, _), i in self.items.items() if t == tenant_id and isinstance(i, Task) and i.workflow_id == workflow_id]
