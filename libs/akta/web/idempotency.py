"""Idempotent requests on a client-supplied key: the `Idempotency-Key` header of the IETF draft
"The Idempotency-Key HTTP Header Field" (httpapi working group), for partner systems whose
nightly transfer may run twice.

    @api.post("/cases", responses={201: CaseOut})
    @idempotent(service, recover=case_from_resources)
    def create_case(body: CaseCreate): ...

A request with the header runs once per (tenant, caller, key); the OpenAPI document shows the
header on every decorated operation. A retry with the same method, path and body gets the stored
answer (status, body, Location, ETag) with `Idempotent-Replayed: true`; the same key with
another request is 422; a retry while the first is still running is 409 with `Retry-After`. A
malformed key is 400. Without the header a request runs as always.

The answer is never lost to a crash between the effect and storing it: the key's row is marked
`applied` inside the very transaction of the effect (every unit of work committing during the
request joins in), so a retry never repeats the effect. Should the process die before the
answer is stored, a retry after the lease (`IN_PROGRESS_LEASE`) gets it rebuilt by `recover`
from the resources the effect touched (or a 409 naming them when the endpoint has no `recover`).
A request that died before its effect committed left nothing behind: after the lease a retry
runs it afresh. Keys are kept for `KEY_LIFETIME` (7 days), then purged by the relay.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable

from flask import Response, current_app, request
from pydantic import BaseModel, Field
from werkzeug.exceptions import HTTPException

from akta.db import idempotency_keys as keys
from akta.db.idempotency_keys import Fingerprint, KeyId, KeyRecord, StoredResponse
from akta.db.types import utcnow
from akta.db.unit_of_work import SqlAlchemyUnitOfWork, joining_every_commit
from akta.errors import AktaError, Conflict
from akta.web.auth import current_principal
from akta.web.problems import problem

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Content-Location")
RETRY_AFTER_SECONDS = 1

HEADER_DESCRIPTION = (
    "Makes the request safe to retry (IETF draft 'The Idempotency-Key HTTP Header Field'): 1 to "
    f"{MAX_KEY_LENGTH} printable ASCII characters, unique per operation (a UUID), as a structured-field "
    "string (\"...\") or bare. The same key with the same request answers the first response again "
    f"({REPLAYED_HEADER}: true) without repeating the effect; with a different request 422; while the "
    "first is still being processed 409 (Retry-After). Keys are kept for 7 days per organisation and caller."
)

Resources = list[dict[str, str]]
Recover = Callable[[Resources], Response | None]


class IdempotencyKeyHeader(BaseModel):
    """Declares the header in the OpenAPI document. `idempotent` checks it, so a bad key is a 400
    naming the header rather than a validation error. A view declaring its own `header` model
    subclasses this one."""

    idempotency_key: str | None = Field(
        default=None,
        alias=HEADER,
        description=HEADER_DESCRIPTION,
        json_schema_extra={"minLength": 1, "maxLength": MAX_KEY_LENGTH},
    )


class InvalidIdempotencyKey(AktaError):
    status = 400
    title = "Invalid Idempotency-Key"
    problem_type = "urn:akta:problem:invalid-idempotency-key"

    def __init__(self, message: str) -> None:
        super().__init__(f"{HEADER}: {message}", errors=[{"field": HEADER, "message": message}])


class IdempotencyKeyReused(AktaError):
    status = 422
    title = "Idempotency-Key reused"
    problem_type = "urn:akta:problem:idempotency-key-reused"

    def __init__(self) -> None:
        message = "this key was used for a different request (method, path or body); use a new key"
        super().__init__(f"{HEADER}: {message}", errors=[{"field": HEADER, "message": message}])


class IdempotencyKeyLost(Conflict):
    """The attempt ran past its lease and a retry took the key over; its effect is rolled back."""

    problem_type = "urn:akta:problem:idempotency-key-in-use"


class IdempotencyAnswerLost(Conflict):
    problem_type = "urn:akta:problem:idempotency-answer-lost"


def idempotent(service, recover: Recover | None = None):
    """Decorate a view (under the route decorator) to honour `Idempotency-Key`. `service` gives the
    database holding `idempotency_keys` and the authenticator; `recover(resources)` rebuilds the
    answer from the resources the effect touched ([{"type": "Case", "id": …}]), for the rare retry
    whose first attempt died after its effect committed but before its answer was stored."""

    def decorate(view):
        declares_header = "header" in view.__annotations__

        @functools.wraps(view)
        def keyed(*args, **kwargs):
            if not declares_header:
                kwargs.pop("header", None)
            raw_key = request.headers.get(HEADER)
            if raw_key is None:
                return view(*args, **kwargs)
            key = parse_key(raw_key)
            principal = current_principal(service.authenticator)
            key_id = KeyId(principal.tenant_id, principal.actor, key)
            fingerprint = request_fingerprint()
            with service.database.session() as session, session.begin():
                attempt_id, record = keys.claim(session, key_id, fingerprint)
            if attempt_id is None:
                return _answer_from(record, fingerprint, service.database, recover)
            return _Attempt(service.database, key_id, attempt_id).run(view, args, kwargs)

        if not declares_header:
            keyed.__annotations__ = {**view.__annotations__, "header": IdempotencyKeyHeader}
        keyed.__doc__ = (view.__doc__ or "").rstrip() + (
            f"\n\nSafe to retry with an `{HEADER}` header (kept 7 days): the same key and request "
            "answer the first response again and change nothing."
        )
        return keyed

    return decorate


def parse_key(raw: str) -> str:
    """The key from the header: an RFC 8941 string ("…") or the bare characters."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = _unquote(value[1:-1])
    if not value:
        raise InvalidIdempotencyKey("must not be empty")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(f"must be at most {MAX_KEY_LENGTH} characters")
    if any(not 0x20 <= ord(char) <= 0x7E for char in value):
        raise InvalidIdempotencyKey("must be printable ASCII characters")
    return value


def request_fingerprint() -> Fingerprint:
    """Method, path (with any query) and the SHA-256 of the body; a JSON body is hashed in a
    canonical form, so a client re-serialising the same data is still sending the same request."""
    path = request.path
    if request.query_string:
        path += "?" + request.query_string.decode("latin-1")
    return Fingerprint(request.method, path[:2000], hashlib.sha256(_canonical_body()).hexdigest())


class _Attempt:
    def __init__(self, database, key_id: KeyId, attempt_id: str) -> None:
        self.database = database
        self.key_id = key_id
        self.attempt_id = attempt_id
        self.resources: Resources = []

    def run(self, view, args, kwargs) -> Response:
        try:
            with joining_every_commit(self._join):
                response = current_app.make_response(view(*args, **kwargs))
        except (AktaError, HTTPException) as error:
            response = current_app.make_response(current_app.handle_user_exception(error))
        except BaseException:
            self._forget_unless_applied()
            raise
        self._finish(response)
        return response

    def _join(self, uow: SqlAlchemyUnitOfWork) -> None:
        for aggregate in uow.seen_aggregates():
            resource = {"type": type(aggregate).__name__, "id": str(getattr(aggregate, "id", "") or "")}
            if resource["id"] and resource not in self.resources:
                self.resources.append(resource)
        if not keys.mark_applied(uow.session, self.key_id, self.attempt_id, self.resources):
            raise IdempotencyKeyLost(
                "this request outlived its hold on the Idempotency-Key and a retry took it over; nothing was changed"
            )

    def _finish(self, response: Response) -> None:
        with self.database.session() as session, session.begin():
            if response.status_code >= 400 or response.is_streamed:
                # A refusal that changed nothing frees the key for a corrected request; after an
                # effect (the key is `applied`) this deletes nothing and the answer is kept.
                keys.release(session, self.key_id, self.attempt_id)
            if not response.is_streamed:
                keys.complete(session, self.key_id, self.attempt_id, _stored(response))

    def _forget_unless_applied(self) -> None:
        with self.database.session() as session, session.begin():
            keys.release(session, self.key_id, self.attempt_id)


def _answer_from(record: KeyRecord, fingerprint: Fingerprint, database, recover: Recover | None) -> Response:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if record.status == keys.COMPLETED:
        return _replayed(record.response)
    if record.lease_running(utcnow()):
        response = problem(
            409,
            "Idempotency-Key in use",
            "a request with this key is still being processed; retry shortly",
            "urn:akta:problem:idempotency-key-in-use",
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    rebuilt = recover(record.resources) if recover else None
    if rebuilt is None:
        raise IdempotencyAnswerLost(
            "the request with this key took effect, but its answer was lost; look up the resources",
            resources=record.resources,
        )
    stored = _stored(current_app.make_response(rebuilt))
    with database.session() as session, session.begin():
        keys.complete(session, record.key_id, record.attempt_id, stored)
    return _replayed(stored)


def _stored(response: Response) -> StoredResponse:
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return StoredResponse(response.status_code, headers, response.get_data())


def _replayed(stored: StoredResponse) -> Response:
    response = Response(stored.body, status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _canonical_body() -> bytes:
    data = request.get_data(cache=True)
    if data and request.is_json:
        try:
            return json.dumps(json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        except ValueError:
            return data
    return data


def _unquote(inner: str) -> str:
    value, escaped = [], False
    for char in inner:
        if escaped:
            if char not in '"\\':
                raise InvalidIdempotencyKey('a quoted key may only escape " and \\')
            value.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            raise InvalidIdempotencyKey('a quoted key must escape " as \\"')
        else:
            value.append(char)
    if escaped:
        raise InvalidIdempotencyKey("a quoted key must not end in a lone backslash")
    return "".join(value)
