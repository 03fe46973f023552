"""Request and response models shared by the route modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

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


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# RFC 3339 in UTC with microseconds and a "Z" suffix, as every answer gives
# times (skein_timestamp() renders the same in SQL).
Timestamp = Annotated[datetime, PlainSerializer(_utc, return_type=str, when_used="json")]


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiKey(ResponseBody):
    id: str = Field(description="The key's public id; also the part of its prefix after skn_.")
    name: str
    scopes: list[Scope]
    prefix: str = Field(description="skn_ and the public id: safe to show, not enough to authenticate.")
    created_at: Timestamp
    expires_at: Timestamp | None
    rate_limit_per_minute: int


class CreatedApiKey(ApiKey):
    key: str = Field(description="The whole key. Shown only in this answer.")


class ListedApiKey(ApiKey):
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None


class ApiKeyPage(ResponseBody):
    items: list[ListedApiKey]
    next_cursor: str | None


class Health(ResponseBody):
    status: Literal["ok", "ready"]
