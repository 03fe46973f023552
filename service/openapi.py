"""``GET /openapi.json``: the OpenAPI 3.1 document, generated from the routes' ``Operation``s.

Nothing here names a route: the document is whatever ``app.routes`` holds, so a
route module added later is documented by its ``@operation`` alone. Schemas
come from pydantic (JSON Schema 2020-12, OpenAPI 3.1's own dialect), with
their ``$defs`` gathered under ``components/schemas``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from importlib.metadata import version
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount

from service.errors import PROBLEM_MEDIA_TYPE
from service.middleware import BodyLimitMiddleware
from service.models import OpenApiDocument, ProblemDetails, QuotaExceededProblem, ValidationProblem
from service.routing import Handler, MethodRoute, Operation, operation, path_template, route

OPENAPI_VERSION = "3.1.0"
SCHEMA_REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "bearer"

_PATH_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")

# Every /v1 answer may be one of these, whatever the route: the key is checked
# and counted, and the database may be down.
V1_PROBLEMS = (400, 401, 403, 429, 500, 503)
QUERY_PREFIX = "/v1/query/"

PROBLEM_DESCRIPTIONS = {
    400: "The request is not valid: `errors` lists every fault (see /problems/validation-error).",
    401: "No valid API key: missing, malformed, unknown, revoked or expired, all alike.",
    403: "The API key lacks the scope this operation needs.",
    404: "No such resource in the key's workspace.",
    413: "The request body is larger than SKEIN_MAX_BODY_BYTES.",
    415: "The request body is not of a media type this operation takes.",
    422: "The query ran past SKEIN_QUERY_TIMEOUT_MS and was cancelled (see /problems/query-timeout).",
    429: "The API key used up its rate limit; retry after Retry-After seconds.",
    500: "An error of the server's own; the X-Request-ID is in its logs.",
    503: "PostgreSQL is unreachable or no pool connection freed up in time (see /problems/unavailable).",
}
PROBLEM_MODELS: dict[int, type[BaseModel]] = {400: ValidationProblem, 429: QuotaExceededProblem}

# Each is sent on every answer it is listed for, hence required.
HEADERS: dict[str, dict[str, Any]] = {
    name: {"description": description, "required": True, "schema": schema}
    for name, description, schema in (
        (
            "X-Request-ID",
            "The client's X-Request-ID (at most 128 visible ASCII characters) or a fresh one.",
            {"type": "string", "minLength": 1, "maxLength": 128},
        ),
        (
            "RateLimit-Policy",
            'The key\'s quota, e.g. `"default";q=1200;w=60` (IETF RateLimit fields).',
            {"type": "string"},
        ),
        (
            "RateLimit",
            'Requests left and whole seconds until one more is allowed, e.g. `"default";r=1187;t=0`.',
            {"type": "string"},
        ),
        ("Retry-After", "Whole seconds to wait before trying again.", {"type": "string", "pattern": "^[0-9]+$"}),
        ("WWW-Authenticate", "Always `Bearer`.", {"type": "string"}),
    )
}
_PROBLEM_HEADERS = {
    401: ("WWW-Authenticate",),
    429: ("Retry-After", "RateLimit-Policy", "RateLimit"),
    503: ("Retry-After",),
}
_RATE_LIMIT_HEADERS = ("RateLimit-Policy", "RateLimit")

SCOPES = {
    "read": "GET routes and every /v1/query/* route.",
    "write": "Node, edge, batch and import writes.",
    "admin": "Every /v1/api-keys route. Scopes are independent: admin alone does not read nodes.",
}

DESCRIPTION = """\
A graph per workspace (typed nodes, typed directed edges, JSON properties) over HTTP.

Every `/v1` operation needs `Authorization: Bearer <API key>`; a key belongs to
one workspace, sees only its data, and carries scopes (`x-required-scope` on each
operation names the one it needs). Each key has a token-bucket rate limit,
reported on every authenticated answer in the IETF `RateLimit-Policy` and
`RateLimit` fields. Every error answer is an RFC 9457 problem
(`application/problem+json`); Skein's own problem types are documented at
`/problems/<slug>`. Every answer carries `X-Request-ID`.
"""


@dataclasses.dataclass(frozen=True)
class DocumentedOperation:
    path: str
    method: str
    handler: Handler
    operation: Operation


def documented_operations(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[DocumentedOperation]:
    """Every method of every ``MethodRoute``, mounts followed, in routing order."""
    for item in routes:
        if isinstance(item, Mount):
            yield from documented_operations(item.routes, prefix + item.path)
        elif isinstance(item, MethodRoute):
            for method, handler in item.handlers.items():
                details = getattr(handler, "operation", None)
                if not isinstance(details, Operation):
                    raise TypeError(f"{method} {prefix}{item.path}: {handler.__qualname__} lacks @operation")
                yield DocumentedOperation(prefix + item.path, method, handler, details)


def unlimited_body_paths(app: Starlette) -> frozenset[str]:
    """The paths the body limit lets through, read from the middleware that applies it."""
    for middleware in app.user_middleware:
        if middleware.cls is BodyLimitMiddleware:
            return frozenset(middleware.kwargs["unlimited_paths"])
    return frozenset()


def build_document(app: Starlette) -> dict[str, Any]:
    operations = list(documented_operations(app.routes))
    models = _Schemas(operations)
    unlimited = unlimited_body_paths(app)
    paths: dict[str, dict[str, Any]] = {}
    for item in operations:
        paths.setdefault(path_template(item.path), {})[item.method.lower()] = _operation(item, models, unlimited)
    models.drop_query_models(json.dumps(paths))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Skein", "version": version("skein"), "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": models.components,
            "responses": {_problem_name(status): _problem_response(status, models) for status in models.statuses},
            "headers": HEADERS,
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "skn_<public id>_<secret>",
                    "description": "An API key. Scopes: "
                    + " ".join(f"`{name}`: {text}" for name, text in SCOPES.items()),
                }
            },
        },
    }


class _Schemas:
    """pydantic's JSON Schemas for every model the operations name, in one ``components/schemas``."""

    def __init__(self, operations: list[DocumentedOperation]) -> None:
        wanted: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = []
        for item in operations:
            details = item.operation
            wanted += [(model, "validation") for model in (details.body, details.query) if model is not None]
            wanted += [(model, "serialization") for model in details.responses.values() if model is not None]
        wanted += [(model, "serialization") for model in (ProblemDetails, *PROBLEM_MODELS.values())]
        refs, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=SCHEMA_REF)
        self.refs = refs
        self.components: dict[str, Any] = definitions.get("$defs", {})
        # The error statuses the operations answer, each a shared response.
        self.statuses: set[int] = set()
        self.query_models: set[str] = set()

    def ref(self, model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, Any]:
        return self.refs[(model, mode)]

    def properties(self, model: type[BaseModel]) -> tuple[dict[str, Any], set[str]]:
        """A query model's fields, which become one parameter each."""
        name = self._name(model)
        self.query_models.add(name)
        schema = self.components[name]
        return schema.get("properties", {}), set(schema.get("required", ()))

    def drop_query_models(self, paths_json: str) -> None:
        """Query models are spelled out as parameters; their own schemas go unless something else names them."""
        for name in self.query_models:
            rest = {other: schema for other, schema in self.components.items() if other != name}
            if f'"{SCHEMA_REF.format(model=name)}"' not in json.dumps(rest) + paths_json:
                del self.components[name]

    def _name(self, model: type[BaseModel]) -> str:
        ref: str = self.ref(model, "validation")["$ref"]
        return ref.rsplit("/", 1)[1]


def _operation(item: DocumentedOperation, models: _Schemas, unlimited: frozenset[str]) -> dict[str, Any]:
    details = item.operation
    v1 = item.path.startswith("/v1/")
    document: dict[str, Any] = {
        "operationId": f"{item.handler.__module__.rsplit('.', 1)[-1]}.{item.handler.__name__}",
        "summary": details.summary,
        "tags": [_tag(item.path)],
    }
    parameters = _path_parameters(item.path)
    if details.query is not None:
        parameters += _query_parameters(details.query, models)
    if parameters:
        document["parameters"] = parameters
    if details.body is not None:
        schema = models.ref(details.body, "validation")
        document["requestBody"] = {
            "required": True,
            "content": {media_type: {"schema": schema} for media_type in details.body_media_types},
        }
    if details.scope is not None:
        document["description"] = f"Needs an API key with the `{details.scope}` scope."
        document["security"] = [{SECURITY_SCHEME: [details.scope]}]
        document["x-required-scope"] = details.scope
    responses = {
        str(status): _success(status, model, details, v1, models) for status, model in details.responses.items()
    }
    for status in sorted(_problem_statuses(item, unlimited)):
        models.statuses.add(status)
        responses[str(status)] = {"$ref": f"#/components/responses/{_problem_name(status)}"}
    document["responses"] = responses
    return document


def _problem_statuses(item: DocumentedOperation, unlimited: frozenset[str]) -> set[int]:
    details = item.operation
    statuses = {500, *details.problems}
    if _PATH_PARAMETER.search(item.path):
        # Some values never route: Starlette's patterns stop at a line break.
        statuses.add(404)
    if item.path.startswith("/v1/"):
        statuses.update(V1_PROBLEMS)
    if details.query is not None:
        statuses.add(400)
    if details.body is not None:
        statuses.update((400, 415))
        if item.path not in unlimited:
            statuses.add(413)
    if item.path.startswith(QUERY_PREFIX):
        statuses.add(422)
    return statuses


def _tag(path: str) -> str:
    """Operations group by their first path segment under /v1; the rest is the service's own."""
    segments = path.strip("/").split("/")
    return segments[1] if segments[0] == "v1" and len(segments) > 1 else "service"


def _path_parameters(path: str) -> list[dict[str, Any]]:
    parameters = []
    for name, convertor in _PATH_PARAMETER.findall(path):
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if convertor != "path":
            # One path segment: a "/" in it, even percent-encoded, would end it.
            schema["pattern"] = "^[^/]+$"
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(model: type[BaseModel], models: _Schemas) -> list[dict[str, Any]]:
    properties, required = models.properties(model)
    parameters = []
    for name, schema in properties.items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        if "description" in schema:
            parameter["description"] = schema["description"]
        parameter["schema"] = _without_null(schema)
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query string has no null: an optional parameter is simply left out."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [option for option in options if option != {"type": "null"}]
    rest = {key: value for key, value in schema.items() if key != "anyOf" and not (key == "default" and value is None)}
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


def _success(
    status: int, model: type[BaseModel] | None, details: Operation, v1: bool, models: _Schemas
) -> dict[str, Any]:
    headers = ("X-Request-ID", *(_RATE_LIMIT_HEADERS if v1 else ()))
    response: dict[str, Any] = {"description": HTTPStatus(status).phrase, "headers": _header_refs(headers)}
    if model is not None:
        response["content"] = {"application/json": {"schema": models.ref(model, "serialization")}}
    elif details.text is not None:
        response["content"] = {details.text: {"schema": {"type": "string"}}}
    return response


def _problem_name(status: int) -> str:
    return f"Problem{status}"


def _problem_response(status: int, models: _Schemas) -> dict[str, Any]:
    model = PROBLEM_MODELS.get(status, ProblemDetails)
    description = PROBLEM_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
    return {
        "description": description,
        "headers": _header_refs(("X-Request-ID", *_PROBLEM_HEADERS.get(status, ()))),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": models.ref(model, "serialization")}},
    }


def _header_refs(names: Iterable[str]) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def openapi_json(app: Starlette) -> bytes:
    """The document, built on first use and kept: the routes of an app do not change."""
    cached: bytes | None = getattr(app.state, "openapi_json", None)
    if cached is None:
        cached = json.dumps(build_document(app), separators=(",", ":")).encode()
        app.state.openapi_json = cached
    return cached


@operation(summary="This OpenAPI 3.1 document", responses={200: OpenApiDocument})
async def openapi_document(request: Request) -> Response:
    return Response(openapi_json(request.app), media_type="application/json")


routes = [route("/openapi.json", GET=openapi_document)]
