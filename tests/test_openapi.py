"""/openapi.json: a valid OpenAPI 3.1 document of every route, generated from the routes themselves."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from service import openapi
from service.middleware import BodyLimitMiddleware
from service.models import QueryString, RequestBody
from service.openapi import build_document
from service.routing import operation, route

PROBLEM_MEDIA_TYPE = "application/problem+json"


@pytest.fixture(scope="session")
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _routes_and_methods(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """What Starlette itself routes, read without the generator's help."""
    for item in routes:
        if isinstance(item, Mount):
            yield from _routes_and_methods(item.routes, prefix + item.path)
        elif isinstance(item, Route):
            for method in item.methods or ():
                if method != "HEAD":
                    yield prefix + item.path.replace(":path}", "}"), method.lower()


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, details in item.items():
            yield path, method, details


def _response(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


async def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


async def test_the_document_needs_no_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


async def test_every_route_and_method_of_the_app_is_documented(app: Starlette, document: dict[str, Any]) -> None:
    routed = set(_routes_and_methods(app.routes))
    documented = {(path, method) for path, method, _ in _operations(document)}
    assert ("/v1/api-keys/{id}", "delete") in routed
    assert routed == documented


async def test_v1_operations_name_their_scope_and_the_bearer_scheme(document: dict[str, Any]) -> None:
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for scope in ("read", "write", "admin"):
        assert f"`{scope}`" in scheme["description"]
    create = document["paths"]["/v1/api-keys"]["post"]
    assert create["security"] == [{"bearer": ["admin"]}]
    assert create["x-required-scope"] == "admin"
    assert "admin" in create["description"]
    assert "security" not in document["paths"]["/healthz"]["get"]


async def test_every_error_answer_is_documented_as_a_problem(document: dict[str, Any]) -> None:
    for path, method, details in _operations(document):
        for status, response in details["responses"].items():
            if int(status) < 400:
                continue
            content = _response(document, response)["content"]
            assert list(content) == [PROBLEM_MEDIA_TYPE], (path, method, status)
            expected = {"400": "ValidationProblem", "429": "QuotaExceededProblem"}.get(status, "ProblemDetails")
            assert content[PROBLEM_MEDIA_TYPE]["schema"] == {"$ref": f"#/components/schemas/{expected}"}


async def test_v1_operations_document_the_errors_every_v1_route_answers(document: dict[str, Any]) -> None:
    for path, method, details in _operations(document):
        if path.startswith("/v1/"):
            assert {"400", "401", "403", "429", "500", "503"} <= set(details["responses"]), (path, method)


async def test_a_body_taking_operation_documents_413_and_415(document: dict[str, Any]) -> None:
    responses = document["paths"]["/v1/api-keys"]["post"]["responses"]
    assert {"201", "413", "415"} <= set(responses)
    assert "415" not in document["paths"]["/v1/api-keys"]["get"]["responses"]


async def test_a_validation_problem_lists_its_faults(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    errors = schemas["ValidationProblem"]["properties"]["errors"]
    assert errors["items"] == {"$ref": "#/components/schemas/Fault"}
    assert set(schemas["Fault"]["properties"]) == {"detail", "pointer", "parameter", "line"}
    assert schemas["Fault"]["required"] == ["detail"]


async def test_response_models_are_components_with_their_definitions(document: dict[str, Any]) -> None:
    ok = document["paths"]["/v1/api-keys"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiKeyPage"}
    schemas = document["components"]["schemas"]
    assert schemas["ApiKeyPage"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/ListedApiKey"}
    assert schemas["ListedApiKey"]["properties"]["created_at"]["format"] == "date-time"
    assert "$defs" not in str(document)


async def test_query_parameters_come_from_the_query_model_without_null(document: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in document["paths"]["/v1/api-keys"]["get"]["parameters"]}
    assert parameters["limit"]["schema"]["maximum"] == 1000
    assert parameters["limit"]["required"] is False
    assert parameters["cursor"]["schema"] == {"type": "string", "title": "Cursor"}
    assert "PageQuery" not in document["components"]["schemas"]


async def test_text_answers_document_their_media_type(document: dict[str, Any]) -> None:
    ok = document["paths"]["/problems/{slug}"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/html"]


async def test_every_answer_documents_its_request_id_header(document: dict[str, Any]) -> None:
    for path, method, details in _operations(document):
        for status, response in details["responses"].items():
            assert "X-Request-ID" in _response(document, response)["headers"], (path, method, status)


async def test_the_document_is_built_once_per_app(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> None:
    first = openapi.openapi_json(app)

    def refuse(app: Starlette) -> dict[str, Any]:
        raise AssertionError("built again")

    monkeypatch.setattr(openapi, "build_document", refuse)
    assert openapi.openapi_json(app) is first


class Thing(RequestBody):
    name: str


class ThingQuery(QueryString):
    deep: bool = False


class ThingOut(BaseModel):
    name: str


@operation(summary="Put a thing", scope="write", body=Thing, query=ThingQuery, responses={200: ThingOut})
async def put_thing(request: Request) -> Response:
    raise NotImplementedError


@operation(summary="Stream things", scope="write", body=Thing, body_media_types=("application/x-ndjson",))
async def stream_things(request: Request) -> Response:
    raise NotImplementedError


def _app(*routes: BaseRoute) -> Starlette:
    return Starlette(
        routes=[Mount("/v1", routes=list(routes))],
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=10, unlimited_paths=frozenset({"/v1/stream"}))],
    )


def test_a_route_module_added_later_is_documented_from_its_operation() -> None:
    document = build_document(_app(route("/things/{type}/{key:path}", PUT=put_thing)))
    validate(document)
    put = document["paths"]["/v1/things/{type}/{key}"]["put"]
    parameters = {(p["in"], p["name"]): p["schema"] for p in put["parameters"]}
    assert parameters[("path", "type")]["pattern"] == "^[^/]+$"
    assert "pattern" not in parameters[("path", "key")]
    assert parameters[("query", "deep")]["type"] == "boolean"
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert put["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ThingOut"}
    assert put["tags"] == ["things"]
    assert {"404", "413", "415"} <= set(put["responses"])


def test_a_body_exempt_from_the_size_limit_documents_no_413() -> None:
    document = build_document(_app(route("/stream", POST=stream_things)))
    post = document["paths"]["/v1/stream"]["post"]
    assert list(post["requestBody"]["content"]) == ["application/x-ndjson"]
    assert "415" in post["responses"]
    assert "413" not in post["responses"]


def test_query_routes_document_the_query_timeout() -> None:
    document = build_document(_app(route("/query/things", POST=put_thing), route("/things", POST=put_thing)))
    assert "422" in document["paths"]["/v1/query/things"]["post"]["responses"]
    assert "422" not in document["paths"]["/v1/things"]["post"]["responses"]


def test_a_handler_without_an_operation_is_refused() -> None:
    async def undocumented(request: Request) -> Response:
        raise NotImplementedError

    with pytest.raises(TypeError, match="GET /v1/undocumented"):
        build_document(_app(route("/undocumented", GET=undocumented)))
