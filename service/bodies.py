"""Reading and validating request bodies and query strings into pydantic models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import pydantic
from starlette.requests import Request

from service.errors import UnsupportedMediaType, ValidationFailed

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

JSON_MEDIA_TYPES = frozenset({"application/json"})
MERGE_PATCH_MEDIA_TYPES = frozenset({"application/json", "application/merge-patch+json"})


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, accepted: frozenset[str] = JSON_MEDIA_TYPES) -> bytes:
    """The raw body, after the content-type check (415) and within the size limit (413)."""
    if media_type(request) not in accepted:
        raise UnsupportedMediaType(f"The request body must be one of: {', '.join(sorted(accepted))}.")
    return await request.body()


async def read_json(request: Request, model: type[ModelT], context: dict[str, Any] | None = None) -> ModelT:
    """The body as ``model``; ``context`` carries server settings to its validators."""
    body = await read_body(request)
    try:
        return model.model_validate_json(body, context=context)
    except pydantic.ValidationError as exc:
        raise ValidationFailed(body_errors(exc.errors())) from None


def read_query(request: Request, model: type[ModelT], multi: Iterable[str] = ()) -> ModelT:
    """Query-string parameters into ``model``; names in ``multi`` keep every value as a list."""
    params = request.query_params
    data: dict[str, Any] = {}
    for name in params:
        data[name] = params.getlist(name) if name in multi else params.get(name)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationFailed(query_errors(exc.errors())) from None


def body_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"detail": describe(error), "pointer": json_pointer(error["loc"])} for error in errors]


def query_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"detail": describe(error), "parameter": str(error["loc"][0]) if error["loc"] else ""} for error in errors]


def json_pointer(location: Iterable[Any]) -> str:
    """RFC 6901 pointer of a pydantic location; ``<tag>`` segments name union members, not members."""
    parts = (
        str(part).replace("~", "~0").replace("/", "~1")
        for part in location
        if not (isinstance(part, str) and part.startswith("<") and part.endswith(">"))
    )
    return "#" + "".join("/" + part for part in parts)


def describe(error: Mapping[str, Any]) -> str:
    """pydantic's message in the contract's words where the contract names the fault."""
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind == "less_than_equal":
        return f"must be at most {context['le']}"
    if kind == "greater_than_equal":
        return f"must be at least {context['ge']}"
    if kind == "extra_forbidden":
        return "unknown member"
    if kind == "missing":
        return "is required"
    if kind == "json_invalid":
        return f"malformed JSON: {context.get('error', 'cannot parse')}"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message
