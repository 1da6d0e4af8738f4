"""The dashboard's latest documents: docstore's events reach the cases worker over the bus
(memory on SQLite, RabbitMQ on PostgreSQL), and each caller sees only documents in cases they
may read, carrying no screening code they lack, of their own organisation."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kombu import Connection

from akta.bus.publisher import OutboundMessage, open_publisher
from akta.bus.topology import declare_topology
from akta.contracts import Envelope
from akta.contracts.docstore import DocumentChanged, DocumentCreated

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def school(stack):
    """Anna writes in the pupils' group and sees pupil and health matters; Bo reads the group
    without either code; Carl has no grant; Nina works at another school with a group of her own."""
    tenant_id = stack.organisation("skolen")
    admin = stack.sign_in("skolen", "admin")
    pupils = stack.admin_post(admin, "/access-groups", {"name": "Elevsager"})["id"]
    users = {name: stack.user(admin, name) for name in ("anna", "bo", "carl")}
    stack.grant(admin, users["anna"], "access_group", pupils)
    stack.grant(admin, users["anna"], "screening_code", "pupil")
    stack.grant(admin, users["anna"], "screening_code", "health")
    stack.grant(admin, users["bo"], "access_group", pupils, "read")
    other_tenant = stack.organisation("naboskolen")
    other_admin = stack.sign_in("naboskolen", "admin")
    their_group = stack.admin_post(other_admin, "/access-groups", {"name": "Elevsager"})["id"]
    nina = stack.user(other_admin, "nina")
    stack.grant(other_admin, nina, "access_group", their_group)
    stack.grant(other_admin, nina, "screening_code", "health")
    stack.settled()
    headers = {name: stack.sign_in("skolen", name) for name in users}
    headers["nina"] = stack.sign_in("naboskolen", "nina")
    template = stack.client.post("/api/cases/templates", json={"name": "Elevsag", "access_group_id": pupils}, headers=admin)
    assert template.status_code == 201, template.get_data(as_text=True)

    def case(title, screening_code=None):
        body = {"title": title, "template_id": template.json["id"], **({"screening_code": screening_code} if screening_code else {})}
        response = stack.client.post("/api/cases/cases", json=body, headers=headers["anna"])
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json

    return {
        "tenant_id": tenant_id, "other_tenant": other_tenant, "users": users, "headers": headers,
        "plain": case("Elevsag: fravær"), "screened": case("Elevsag: trivsel", "pupil"),
    }


def publish(stack, *envelopes: Envelope) -> None:
    """As docstore's relay would: onto the events exchange under the event type."""
    names = stack.services["cases"].names
    messages = [
        OutboundMessage(envelope.id, names.events_exchange, envelope.type, envelope.to_json().encode())
        for envelope in envelopes
    ]
    with Connection(stack.bus_url) as connection:
        declare_topology(connection.default_channel, names)
        publisher = open_publisher(connection)
        assert not publisher.publish(messages)
        publisher.close()
    stack.settled()


def document_event(event_class, tenant, actor, minutes, **fields):
    data = {
        "document_id": str(uuid.uuid4()), "title": "Dokument", "document_type": "letter", "status": "draft",
        "current_version": 0, "version": 1, **fields,
    }
    if event_class is DocumentChanged:
        data.setdefault("changed_fields", ["title"])
    event = event_class(**data)
    return Envelope.wrap(event, tenant=tenant, actor=actor, correlation_id="corr", time=T0 + timedelta(minutes=minutes))


def latest(stack, headers, query=""):
    response = stack.client.get(f"/api/cases/dashboard/latest-documents{query}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_latest_documents_shows_each_caller_only_what_they_may_read(stack, school):
    tenant, anna = school["tenant_id"], f"user:{school['users']['anna']}"
    plain, screened = school["plain"], school["screened"]

    def created(minutes, title, case=plain, tenant=tenant, **fields):
        return document_event(DocumentCreated, tenant, anna, minutes, title=title, case_id=case["id"] if case else None, **fields)

    letter = created(0, "Brev til forældre")
    health = created(1, "Lægeerklæring", screening_code="health")
    in_screened_case = created(2, "Trivselsnotat", screened, screening_code="pupil")
    application = created(3, "Ansøgning")
    outside_any_case = created(4, "Løst dokument", case=None, access_group_id="ag-x")
    other_school = created(5, "Nabobrev", tenant=school["other_tenant"])  # names a case of skolen
    renamed = document_event(
        DocumentChanged, tenant, anna, 10, document_id=application.subject, title="Ansøgning om skoleskift",
        case_id=plain["id"], status="final", current_version=1, version=3,
    )
    publish(stack, letter, health, in_screened_case, application, outside_any_case, other_school, renamed)

    seen_by_anna = latest(stack, school["headers"]["anna"])
    assert (seen_by_anna["page_size"], seen_by_anna["total"]) == (10, 4), "ten to a page unless asked"
    assert [item["id"] for item in seen_by_anna["items"]] == [
        application.subject, in_screened_case.subject, health.subject, letter.subject
    ], "newest created first; a later change moves nothing"
    newest = seen_by_anna["items"][0]
    assert newest == {
        "id": application.subject, "case_id": plain["id"], "case_number": plain["number"], "case_title": plain["title"],
        "title": "Ansøgning om skoleskift", "document_type": "letter", "status": "final", "current_version": 1,
        "created_at": newest["created_at"], "created_by": anna, "updated_at": newest["updated_at"],
    }
    assert datetime.fromisoformat(newest["created_at"]) == T0 + timedelta(minutes=3)
    assert datetime.fromisoformat(newest["updated_at"]) == T0 + timedelta(minutes=10)

    bo = latest(stack, school["headers"]["bo"])
    assert [item["id"] for item in bo["items"]] == [application.subject, letter.subject], "no health, no pupil case"
    assert latest(stack, school["headers"]["carl"])["total"] == 0
    assert latest(stack, school["headers"]["nina"])["total"] == 0

    second_page = latest(stack, school["headers"]["anna"], "?page=2&page_size=3")
    assert [item["id"] for item in second_page["items"]] == [letter.subject]
    assert stack.client.get("/api/cases/dashboard/latest-documents").status_code == 401


def test_a_redelivered_or_older_event_changes_nothing(stack, school):
    tenant, anna = school["tenant_id"], f"user:{school['users']['anna']}"
    first = document_event(DocumentCreated, tenant, anna, 0, title="Referat", case_id=school["plain"]["id"])
    newer = document_event(
        DocumentChanged, tenant, anna, 5, document_id=first.subject, title="Referat, godkendt", case_id=school["plain"]["id"], version=3,
    )
    older = document_event(
        DocumentChanged, tenant, anna, 2, document_id=first.subject, title="Referat, udkast", case_id=school["plain"]["id"], version=2,
    )
    publish(stack, first, newer)
    publish(stack, older, newer, first)
    [item] = latest(stack, school["headers"]["bo"])["items"]
    assert item["title"] == "Referat, godkendt"
    assert datetime.fromisoformat(item["created_at"]) == T0
