"""Use cases of the archive plan and case templates (archivists and administrators)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from akta import audit
from akta.errors import Conflict, InvalidField, NotFound, PreconditionFailed
from akta_cases.archive_plan.model import ArchiveClass, CaseTemplate, ImportedClass, kle_parent_code

IMPORT_COLUMNS = ("code", "title", "parent_code", "retention_rule", "access_group_id")


def _now() -> datetime:
    return datetime.now(UTC)


def create_class(uow, tenant_id: str, code: str, title: str, parent_id: str | None = None,
                 retention_rule: str | None = None, access_group_id: str | None = None) -> ArchiveClass:
    with uow:
        if uow.archive_plan.class_by_code(tenant_id, code.strip()) is not None:
            raise Conflict(f"the archive plan has a class {code.strip()!r} already")
        parent = None
        if parent_id:
            parent = uow.archive_plan.archive_class(tenant_id, parent_id)
            if parent is None:
                raise InvalidField("parent_id", f"no class {parent_id}")
        archive_class = ArchiveClass.create(tenant_id, code, title, parent, retention_rule, access_group_id, _now())
        uow.archive_plan.add(archive_class)
        audit.record(uow, tenant_id, "create", "archive_class", archive_class.id, code=archive_class.code)
        uow.commit()
    return archive_class


def change_class(uow, tenant_id: str, class_id: str, **changes) -> ArchiveClass:
    with uow:
        archive_class = uow.archive_plan.archive_class(tenant_id, class_id)
        if archive_class is None:
            raise NotFound(f"no class {class_id}")
        archive_class.change(changes.get("title"), changes.get("retention_rule"), changes.get("access_group_id"), changes.get("active"))
        audit.record(uow, tenant_id, "change", "archive_class", class_id, fields=",".join(sorted(k for k, v in changes.items() if v is not None)))
        uow.commit()
    return archive_class


def parse_class_csv(text: str) -> list[ImportedClass]:
    """Rows of `code;title;parent_code;retention_rule;access_group_id` (`;` or `,`; a header line).
    An empty parent_code of a KLE number (28.01.02) means its KLE parent (28.01.00)."""
    text = text.lstrip("\ufeff")
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames or not {"code", "title"} <= {name.strip() for name in reader.fieldnames}:
        raise InvalidField("file", f"the first line must name the columns: {';'.join(IMPORT_COLUMNS)}")
    unknown = sorted({name.strip() for name in reader.fieldnames} - set(IMPORT_COLUMNS))
    if unknown:
        raise InvalidField("file", f"unknown column(s) {', '.join(unknown)}; known: {', '.join(IMPORT_COLUMNS)}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        if not row.get("code"):
            raise InvalidField(f"rows[{line}].code", "is empty")
        if not row.get("title"):
            raise InvalidField(f"rows[{line}].title", "is empty")
        rows.append(
            ImportedClass(
                code=row["code"],
                title=row["title"],
                parent_code=row.get("parent_code") or kle_parent_code(row["code"]),
                retention_rule=row.get("retention_rule") or None,
                access_group_id=row.get("access_group_id") or None,
                line=line,
            )
        )
    return rows


def import_classes(uow, tenant_id: str, rows: list[ImportedClass]) -> dict:
    """Create or update classes by code, parents first; all or nothing. Importing the same
    file again changes nothing."""
    codes = {row.code for row in rows}
    created = updated = unchanged = 0
    with uow:
        pending = list(rows)
        while pending:
            ready = [r for r in pending if not r.parent_code or r.parent_code not in codes or uow.archive_plan.class_by_code(tenant_id, r.parent_code)]
            if not ready:
                raise InvalidField(f"rows[{pending[0].line}].parent_code", "the parents form a loop")
            for row in ready:
                parent = uow.archive_plan.class_by_code(tenant_id, row.parent_code) if row.parent_code else None
                if row.parent_code and parent is None:
                    raise InvalidField(f"rows[{row.line}].parent_code", f"no class {row.parent_code!r} in the plan or the file")
                existing = uow.archive_plan.class_by_code(tenant_id, row.code)
                if existing is None:
                    uow.archive_plan.add(ArchiveClass.create(tenant_id, row.code, row.title, parent, row.retention_rule, row.access_group_id, _now()))
                    created += 1
                elif (existing.title, existing.retention_rule, existing.access_group_id) != (row.title, row.retention_rule, row.access_group_id):
                    existing.change(row.title, row.retention_rule or "", row.access_group_id or "", True)
                    updated += 1
                else:
                    unchanged += 1
                uow.session.flush()
                pending.remove(row)
        audit.record(uow, tenant_id, "import", "archive_plan", "*", created=created, updated=updated, unchanged=unchanged)
        uow.commit()
    return {"created": created, "updated": updated, "unchanged": unchanged}


def create_template(uow, tenant_id: str, name: str, **settings) -> CaseTemplate:
    with uow:
        if uow.archive_plan.template_by_name(tenant_id, " ".join(name.split())) is not None:
            raise Conflict(f"a template {name!r} exists already")
        _check_class(uow, tenant_id, settings.get("class_id"))
        template = CaseTemplate.create(tenant_id, name, _now(), **settings)
        uow.archive_plan.add(template)
        audit.record(uow, tenant_id, "create", "case_template", template.id, name=template.name)
        uow.commit()
    return template


def change_template(uow, tenant_id: str, template_id: str, expected_version: int | None = None, **settings) -> CaseTemplate:
    with uow:
        template = uow.archive_plan.template(tenant_id, template_id)
        if template is None:
            raise NotFound(f"no template {template_id}")
        if expected_version is not None and expected_version != template.version:
            raise PreconditionFailed(f"the template changed since you read it (version {template.version})", current_version=template.version)
        _check_class(uow, tenant_id, settings.get("class_id"))
        template.configure(**settings)
        audit.record(uow, tenant_id, "change", "case_template", template.id)
        uow.commit()
    return template


def _check_class(uow, tenant_id: str, class_id: str | None) -> None:
    if class_id and uow.archive_plan.archive_class(tenant_id, class_id) is None:
        raise InvalidField("class_id", f"no class {class_id}")
