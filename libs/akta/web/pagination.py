"""Page query parameters and the page envelope every list endpoint answers with."""

from __future__ import annotations

from typing import Generic, TypeVar

from flask import Response
from pydantic import BaseModel, Field

Item = TypeVar("Item")


class PageQuery(BaseModel):
    page: int = Field(default=1, ge=1, description="1-based page number.")
    page_size: int = Field(default=50, ge=1, le=500)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    page: int
    page_size: int


def page_response(item_model: type[BaseModel], items: list, total: int, query: PageQuery) -> Response:
    """The JSON answer of a list endpoint."""
    page = Page[item_model](items=items, total=total, page=query.page, page_size=query.page_size)
    return Response(page.model_dump_json(), mimetype="application/json")
