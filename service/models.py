"""Request and response models shared by the route modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, NotRequired

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    WithJsonSchema,
)

# pydantic reads TypedDicts from typing only on Python 3.12 and later.
from typing_extensions import TypedDict

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


def _within_range_in_utc(value: datetime) -> datetime:
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must fall within the years 1 to 9999 in UTC") from None
    return value


# A client's time, at any offset; in UTC it must still be a time Python and
# asyncpg can hold (0001-01-01T00:30+01:00 is not).
ClientTime = Annotated[AwareDatetime, AfterValidator(_within_range_in_utc)]


class CreateApiKey(RequestBody):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)]
    expires_at: ClientTime | None = None
    rate_limit_per_minute: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


def _utc(value: datetime) -> str:
    # isoformat pads the year to four digits as RFC 3339 needs; strftime's %Y does not below 1000.
    return value.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# RFC 3339 in UTC with microseconds and a "Z" suffix, as every answer gives
# times (skein_timestamp() renders the same in SQL).
Timestamp = Annotated[
    datetime,
    PlainSerializer(_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]


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


class OpenApiDocument(RootModel[dict[str, Any]]):
    """An OpenAPI 3.1 document."""


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: the body of every error answer, with these members at least."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI reference naming the kind of problem; about:blank for plain HTTP errors.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: Annotated[int, Field(ge=400, le=599, description="The HTTP status of this answer.")]
    detail: str = Field(description="What went wrong with this request.")


class Fault(TypedDict):
    """One fault of a request: where it is (one of pointer, parameter, line) and what is wrong."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    detail: str
    pointer: NotRequired[str]
    parameter: NotRequired[str]
    line: NotRequired[int]


class ValidationProblem(ProblemDetails):
    """``/problems/validation-error``: every fault found, at most the first 100."""

    errors: list[Fault]


class QuotaExceededProblem(ProblemDetails):
    """The IETF quota-exceeded problem: the key used up its rate limit."""

    violated_policies: list[str] = Field(alias="violated-policies")
