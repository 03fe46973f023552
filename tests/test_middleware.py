"""Request ids, the body size limit, and reading JSON bodies into models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pydantic
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.bodies import read_json
from service.errors import EXCEPTION_HANDLERS
from service.middleware import BodyLimitMiddleware, RequestContextMiddleware
from tests.conftest import client_for
from tests.helpers import assert_problem

LIMIT = 1024
CHUNK = b"x" * 256

NOT_JSON = {"malformed": b'{"depth": ', "invalid-utf8": b'{"depth": "\xff"}', "utf16-bom": b"\xff\xfe{}"}


class Probe(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    depth: int = pydantic.Field(default=3, ge=0, le=10)


class CountingReceive:
    """Wraps an ASGI app and counts the body chunks it pulls from the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.chunks = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.chunks += 1
            return message

        await self.app(scope, counting_receive, send)


async def echo_length(request: Request) -> JSONResponse:
    return JSONResponse({"received": len(await request.body())})


async def echo_probe(request: Request) -> JSONResponse:
    return JSONResponse((await read_json(request, Probe)).model_dump())


def body_app() -> CountingReceive:
    """Two routes behind the real middleware and exception handlers."""
    app = Starlette(
        routes=[Route("/length", echo_length, methods=["POST"]), Route("/probe", echo_probe, methods=["POST"])],
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=LIMIT, unlimited_paths=frozenset()),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    return CountingReceive(app)


async def chunks(count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield CHUNK


@pytest.fixture
def counting_app() -> CountingReceive:
    return body_app()


@pytest.fixture
async def body_client(counting_app: CountingReceive) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(counting_app) as client:  # type: ignore[arg-type]
        yield client


async def post_probe(
    client: httpx.AsyncClient, content: bytes, content_type: str = "application/json"
) -> httpx.Response:
    return await client.post("/probe", content=content, headers={"Content-Type": content_type})


def pointers(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["pointer"], error["detail"]) for error in body["errors"]]


async def test_a_valid_client_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    sent = "trace-" + "a" * 122
    response = await client.get("/healthz", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize("sent", ["has space", "a" * 129, ""], ids=["invisible", "too-long", "empty"])
async def test_an_invalid_client_request_id_is_replaced(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] not in ("", sent)


async def test_each_request_without_an_id_gets_a_fresh_one(client: httpx.AsyncClient) -> None:
    first, second = await client.get("/healthz"), await client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_body_within_the_limit_is_read_whole(body_client: httpx.AsyncClient) -> None:
    response = await body_client.post("/length", content=chunks(LIMIT // len(CHUNK)))
    assert response.status_code == 200
    assert response.json() == {"received": LIMIT}


async def test_a_declared_oversized_body_is_413_before_any_of_it_is_read(
    counting_app: CountingReceive, body_client: httpx.AsyncClient
) -> None:
    response = await body_client.post("/length", content=b"x" * (LIMIT + 1))
    assert_problem(response, 413)
    assert response.json()["title"] == "Content Too Large"
    assert counting_app.chunks == 0


async def test_a_streamed_oversized_body_is_413_as_soon_as_it_passes_the_limit(
    counting_app: CountingReceive, body_client: httpx.AsyncClient
) -> None:
    response = await body_client.post("/length", content=chunks(1000))
    assert "content-length" not in response.request.headers
    assert_problem(response, 413)
    assert counting_app.chunks == LIMIT // len(CHUNK) + 1


async def test_a_non_json_content_type_is_415(body_client: httpx.AsyncClient) -> None:
    assert_problem(await post_probe(body_client, b"depth=3", "application/x-www-form-urlencoded"), 415)


async def test_a_json_body_with_parameters_in_its_content_type_is_read(body_client: httpx.AsyncClient) -> None:
    response = await post_probe(body_client, b'{"depth": 4}', "application/json; charset=utf-8")
    assert response.status_code == 200
    assert response.json() == {"depth": 4}


@pytest.mark.parametrize("content", list(NOT_JSON.values()), ids=list(NOT_JSON))
async def test_a_body_that_is_not_json_is_a_validation_error_at_the_root(
    body_client: httpx.AsyncClient, content: bytes
) -> None:
    body = assert_problem(await post_probe(body_client, content), 400, "/problems/validation-error")
    assert [pointer for pointer, _ in pointers(body)] == ["#"]


async def test_an_unknown_member_is_pointed_at(body_client: httpx.AsyncClient) -> None:
    body = assert_problem(await post_probe(body_client, b'{"depht": 3}'), 400, "/problems/validation-error")
    assert pointers(body) == [("#/depht", "unknown member")]


async def test_a_value_over_its_maximum_is_pointed_at(body_client: httpx.AsyncClient) -> None:
    body = assert_problem(await post_probe(body_client, b'{"depth": 11}'), 400, "/problems/validation-error")
    assert pointers(body) == [("#/depth", "must be at most 10")]


async def test_every_fault_is_listed(body_client: httpx.AsyncClient) -> None:
    body = assert_problem(await post_probe(body_client, b'{"depth": -1, "x": 1}'), 400, "/problems/validation-error")
    assert sorted(pointers(body)) == [("#/depth", "must be at least 0"), ("#/x", "unknown member")]
