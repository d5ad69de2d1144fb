"""The page shape every list endpoint answers with, and its query parameters."""

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

MAX_OFFSET = 1_000_000

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """One page of a list."""

    items: list[ItemT]
    total: int = Field(ge=0, examples=[57])
    limit: int = Field(ge=1, le=100, examples=[20])
    offset: int = Field(ge=0, examples=[0])


class PageParams(BaseModel):
    """Where a page starts and how long it is."""

    limit: int
    offset: int

    def slice(self, items: Sequence[Any]) -> dict[str, Any]:
        """The page of `items` as a JSON-ready dict."""
        return self.of(list(items[self.offset : self.offset + self.limit]), total=len(items))

    def of(self, items: list[Any], *, total: int) -> dict[str, Any]:
        """A JSON-ready page holding `items`, already cut to this page, out of `total`."""
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 20,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Items to skip before the page.")
    ] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(_page_params)]
