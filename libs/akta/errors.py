"""Domain errors every service raises; the web layer maps each kind to one HTTP status.

Domain code subclasses these (they are plain Python), so a rule broken deep inside a handler
reaches the caller as a clear problem+json answer without the handler knowing about HTTP.
"""

from __future__ import annotations


class AktaError(Exception):
    """Base of errors the caller can act on."""

    status = 400
    title = "Bad request"
    problem_type = "about:blank"

    def __init__(self, detail: str, **extra) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(AktaError):
    status = 404
    title = "Not found"


class Conflict(AktaError):
    status = 409
    title = "Conflict"
    problem_type = "urn:akta:problem:conflict"


class PreconditionFailed(AktaError):
    status = 412
    title = "Precondition failed"
    problem_type = "urn:akta:problem:stale-version"


class InvalidField(AktaError):
    """A value that breaks a rule; `field` names it for the caller."""

    status = 422
    title = "Invalid input"
    problem_type = "urn:akta:problem:validation"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", errors=[{"field": field, "message": message}])
        self.field = field


class Unauthenticated(AktaError):
    status = 401
    title = "Unauthorized"
    problem_type = "urn:akta:problem:unauthenticated"


class Forbidden(AktaError):
    status = 403
    title = "Forbidden"
    problem_type = "urn:akta:problem:forbidden"
