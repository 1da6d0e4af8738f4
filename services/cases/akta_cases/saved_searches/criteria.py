"""Criteria of a saved search: the filters of the case list (its query parameters as JSON),
checked against the list's own query model, so a saved search can hold nothing GET /cases would
not understand, and picks up every filter the list gains."""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError

from akta.errors import AktaError, Conflict
from akta.web.pagination import PageQuery

PAGING = frozenset(PageQuery.model_fields)


class InvalidCriteria(AktaError):
    status = 422
    title = "Invalid input"
    problem_type = "urn:akta:problem:validation"

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)


class OutdatedCriteria(Conflict):
    """Criteria saved before the case list changed its filters."""


def filter_parameters(list_query: type[BaseModel]) -> dict[str, str]:
    """Query parameter name → field name of every filter of the list (paging left out)."""
    return {
        field.alias or name: name
        for name, field in list_query.model_fields.items()
        if name not in PAGING
    }


def list_filters(query: BaseModel) -> dict:
    """The filters of a parsed list query, as keyword arguments of the list's view."""
    return {name: getattr(query, name) for name in filter_parameters(type(query)).values()}


def check_criteria(list_query: type[BaseModel], criteria: dict, field: str = "criteria") -> dict:
    """The criteria as they are stored: known filters only, each valid, in JSON form."""
    known = filter_parameters(list_query)
    unknown = sorted(set(criteria) - set(known))
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise InvalidCriteria(
            [{"field": f"{field}.{name}", "message": f"not a filter of the case list (filters: {listed})"} for name in unknown]
        )
    try:
        parsed = list_query.model_validate(criteria)
    except ValidationError as error:
        raise InvalidCriteria(_errors(error, field)) from None
    return parsed.model_dump(mode="json", by_alias=True, include={known[name] for name in criteria})


def parse_criteria(list_query: type[BaseModel], criteria: dict) -> BaseModel:
    """A list query from stored criteria; 409 when the list no longer understands them."""
    try:
        return list_query.model_validate(check_criteria(list_query, criteria))
    except InvalidCriteria as error:
        raise OutdatedCriteria(
            "the saved criteria no longer fit the case list's filters; change the saved search",
            errors=error.extra["errors"],
        ) from None


def _errors(error: ValidationError, field: str) -> list[dict]:
    return [
        {"field": ".".join([field, *(str(part) for part in item["loc"])]), "message": item["msg"]}
        for item in error.errors(include_url=False)
    ]


def described(filters: dict) -> dict[str, str | int | float | bool]:
    """The filters in force, as details of an audit record (simple values only)."""
    details = {}
    for name, value in filters.items():
        if value is None or value == [] or value == ():
            continue
        if not isinstance(value, str | int | float | bool):
            value = value.isoformat() if hasattr(value, "isoformat") else json.dumps(value, default=str, sort_keys=True)
        details[f"filter_{name}"] = value
    return details
