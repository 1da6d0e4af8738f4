"""ETags are versions: a response carries the version it shows, and a change sent with If-Match
must name the version the caller read (otherwise 412)."""

from __future__ import annotations

from flask import Response, request
from pydantic import BaseModel

from akta.errors import InvalidField


def if_match_version(resource: str | None = None) -> int | None:
    """The version the client's `If-Match` names; None without one (or with `*`). `resource`
    names what was read, for the error."""
    if_match = request.if_match
    if not request.headers.get("If-Match") or if_match.star_tag:
        return None
    tags = list(if_match.as_set())
    if len(tags) != 1 or not tags[0].isdigit():
        read = f"of the {resource} you read" if resource else "you read"
        raise InvalidField("If-Match", f"must be the single ETag {read}")
    return int(tags[0])


def versioned_response(model: type[BaseModel], data: dict, status: int = 200, location: str | None = None) -> Response:
    response = Response(model(**data).model_dump_json(), status=status, mimetype="application/json")
    response.set_etag(str(data["version"]))
    if location is not None:
        response.headers["Location"] = f"{request.script_root}{location}"
    return response
