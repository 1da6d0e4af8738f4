"""RFC 9457 problem details for every error a service answers."""

from __future__ import annotations

from flask import Response, json

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, problem_type: str = "about:blank", **extra) -> Response:
    body = {"type": problem_type, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    return response


def validation_problem(errors: list[dict]) -> Response:
    """422 naming each field that failed, e.g. [{"field": "title", "message": "..."}]."""
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(
        422,
        "Invalid input",
        detail,
        problem_type="urn:akta:problem:validation",
        errors=errors,
    )


def pydantic_errors(error) -> list[dict]:
    """Pydantic's errors as [{"field", "message"}], the field as a dotted path."""
    found = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "(body)"
        found.append({"field": field, "message": item["msg"]})
    return found
