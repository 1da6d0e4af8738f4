"""HTTP API of the archive plan and case templates. Everyone signed in reads them (to file
cases); archivists and administrators change them."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from akta.errors import InvalidField, NotFound
from akta.service import Service
from akta.web.app import accepts_any_body
from akta.web.auth import current_principal
from akta.web.pagination import PageQuery
from akta_cases.archive_plan import handlers, views
from akta_cases.archive_plan.model import FIELD_TYPES, effective_defaults

PLAN_KEEPERS = ("archivist", "administrator")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassIn(Strict):
    code: str = Field(min_length=1, max_length=40, description="E.g. a KLE number such as 28.01.02.")
    title: str = Field(min_length=1, max_length=200)
    parent_id: str | None = None
    retention_rule: str | None = Field(default=None, max_length=40, description="Inherited by classes below when theirs is unset.")
    access_group_id: str | None = Field(default=None, max_length=36)


class ClassChange(Strict):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    retention_rule: str | None = Field(default=None, max_length=40, description="Empty to inherit again.")
    access_group_id: str | None = Field(default=None, max_length=36, description="Empty to inherit again.")
    active: bool | None = None


class FieldIn(Strict):
    key: str = Field(max_length=40)
    label: str = Field(max_length=200)
    type: str = Field(description=f"One of {', '.join(FIELD_TYPES)}.")
    required: bool = False
    choices: list[str] = Field(default_factory=list)


class DefaultTaskIn(Strict):
    title: str = Field(max_length=200)
    days_to_deadline: int | None = None


class TemplateIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    fields: list[FieldIn] = Field(default_factory=list)
    class_id: str | None = None
    access_group_id: str | None = None
    screening_code: str | None = None
    retention_rule: str | None = Field(default=None, max_length=40)
    default_tasks: list[DefaultTaskIn] = Field(default_factory=list)


class TemplateChange(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    fields: list[FieldIn] | None = None
    class_id: str | None = None
    access_group_id: str | None = None
    screening_code: str | None = None
    retention_rule: str | None = Field(default=None, max_length=40)
    default_tasks: list[DefaultTaskIn] | None = None
    active: bool | None = None


class ClassQuery(PageQuery):
    parent_id: str | None = None
    roots_only: bool = False


class TemplateQuery(PageQuery):
    include_retired: bool = False


class ItemPath(BaseModel):
    item_id: str = Field(max_length=64)


def create_archive_plan_blueprint(service: Service) -> APIBlueprint:
    api = APIBlueprint("archive_plan", __name__, abp_security=[{"bearer": []}], abp_tags=[Tag(name="archive plan")])

    def reader():
        return current_principal(service.authenticator)

    def keeper():
        principal = current_principal(service.authenticator)
        principal.require_role(*PLAN_KEEPERS)
        return principal

    @api.post("/classes")
    def create_class(body: ClassIn):
        tenant = keeper().tenant_id
        created = handlers.create_class(service.unit_of_work(), tenant, body.code, body.title, body.parent_id, body.retention_rule, body.access_group_id)
        return jsonify(id=created.id), 201

    @api.get("/classes")
    def list_classes(query: ClassQuery):
        items, total = views.list_classes(service.database, reader().tenant_id, query.offset, query.page_size, query.parent_id, query.roots_only)
        return jsonify(items=items, total=total, page=query.page, page_size=query.page_size)

    @api.get("/classes/<item_id>")
    def get_class(path: ItemPath):
        """A class with the defaults it passes on: its own, or inherited from above."""
        tenant = reader().tenant_id
        with service.unit_of_work() as uow:
            lineage = uow.archive_plan.lineage(tenant, path.item_id)
            if not lineage:
                raise NotFound(f"no class {path.item_id}")
            found, defaults = lineage[0], effective_defaults(lineage)
            return jsonify(
                id=found.id, code=found.code, title=found.title, parent_id=found.parent_id,
                retention_rule=found.retention_rule, access_group_id=found.access_group_id, active=found.active,
                effective_retention_rule=defaults.retention_rule, effective_access_group_id=defaults.access_group_id,
                ancestors=[{"id": c.id, "code": c.code, "title": c.title} for c in lineage[1:]],
            )

    @api.patch("/classes/<item_id>", responses={204: None})
    def change_class(path: ItemPath, body: ClassChange):
        handlers.change_class(service.unit_of_work(), keeper().tenant_id, path.item_id, **body.model_dump(exclude_unset=True))
        return Response(status=204)

    @api.post("/classes/import")
    @accepts_any_body
    def import_classes():
        """Import or update the plan from CSV (`code;title;parent_code;retention_rule;access_group_id`,
        UTF-8, `;` or `,`). All or nothing; the same file twice changes nothing."""
        tenant = keeper().tenant_id
        if request.mimetype not in ("text/csv", "text/plain"):
            raise InvalidField("Content-Type", "send the file as text/csv")
        raw = request.get_data(cache=False)
        if len(raw) > MAX_IMPORT_BYTES:
            raise InvalidField("file", f"at most {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidField("file", "must be UTF-8 (in Excel: save as 'CSV UTF-8')") from None
        return jsonify(handlers.import_classes(service.unit_of_work(), tenant, handlers.parse_class_csv(text)))

    @api.post("/templates")
    def create_template(body: TemplateIn):
        tenant = keeper().tenant_id
        settings = body.model_dump(exclude={"name"})
        template = handlers.create_template(service.unit_of_work(), tenant, body.name, **settings)
        response = jsonify(id=template.id, version=template.version)
        response.status_code = 201
        response.set_etag(str(template.version))
        return response

    @api.get("/templates")
    def list_templates(query: TemplateQuery):
        items, total = views.list_templates(service.database, reader().tenant_id, query.offset, query.page_size, query.include_retired)
        return jsonify(items=items, total=total, page=query.page, page_size=query.page_size)

    @api.get("/templates/<item_id>")
    def get_template(path: ItemPath):
        tenant = reader().tenant_id
        with service.unit_of_work() as uow:
            template = uow.archive_plan.template(tenant, path.item_id)
            if template is None:
                raise NotFound(f"no template {path.item_id}")
            response = jsonify(
                id=template.id, name=template.name, description=template.description, fields=template.fields,
                class_id=template.class_id, access_group_id=template.access_group_id, screening_code=template.screening_code,
                retention_rule=template.retention_rule, default_tasks=template.default_tasks, active=template.active,
                version=template.version,
            )
            response.set_etag(str(template.version))
            return response

    @api.patch("/templates/<item_id>", responses={204: None})
    def change_template(path: ItemPath, body: TemplateChange):
        """Change a template; send If-Match with its ETag. Retire it with active=false (cases keep it)."""
        tenant = keeper().tenant_id
        expected = request.if_match.as_set() if request.headers.get("If-Match") else set()
        version = int(next(iter(expected))) if len(expected) == 1 and next(iter(expected)).isdigit() else None
        changes = body.model_dump(exclude_unset=True)
        template = handlers.change_template(service.unit_of_work(), tenant, path.item_id, expected_version=version, **changes)
        response = Response(status=204)
        response.set_etag(str(template.version))
        return response

    return api
