"""Request and response models shared by the route modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Scope = Literal["read", "write", "admin"]


class RequestBody(BaseModel):
    """A JSON body: unknown members are typos, and types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)


class QueryString(BaseModel):
    """Query-string parameters arrive as text, so numbers are parsed; unknown names are typos."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(QueryString):
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: str | None = None


class CreateApiKey(RequestBody):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)]
    expires_at: AwareDatetime | None = None
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


def timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` suffix, as every answer gives times."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
