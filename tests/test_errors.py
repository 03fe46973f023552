"""Every kind of error answer has the one problem-details shape (Datasette keeps such a file too)."""

from __future__ import annotations

import logging

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from service import api_keys, health
from service.errors import EXCEPTION_HANDLERS, problem_for_sqlstate
from service.middleware import RequestContextMiddleware
from tests.conftest import client_for
from tests.helpers import assert_problem

SECRET = "select secret from api_keys"

# What a handler can let escape, and the answer it must become.
ESCAPING_ERRORS = [
    (asyncpg.exceptions.QueryCanceledError(SECRET), 422, "/problems/query-timeout"),
    (asyncpg.exceptions.ConnectionFailureError(SECRET), 503, "/problems/unavailable"),
    (asyncpg.exceptions.TooManyConnectionsError(SECRET), 503, "/problems/unavailable"),
    (asyncpg.exceptions.AdminShutdownError(SECRET), 503, "/problems/unavailable"),
    (ConnectionRefusedError(SECRET), 503, "/problems/unavailable"),
    # Conflicts that outlasted write_transaction's retries: the client may try again.
    (asyncpg.exceptions.DeadlockDetectedError(SECRET), 503, "/problems/unavailable"),
    (asyncpg.exceptions.SerializationError(SECRET), 503, "/problems/unavailable"),
    # An import cannot be retried: an edge's end deleted under it is the client's race to settle.
    (asyncpg.exceptions.ForeignKeyViolationError(SECRET), 400, "/problems/validation-error"),
    # asyncpg's words for a connection PostgreSQL closed under it, e.g. mid-shutdown.
    (asyncpg.exceptions.InterfaceError("connection is closed"), 503, "/problems/unavailable"),
    (asyncpg.exceptions.InterfaceError(SECRET), 500, "about:blank"),
    # Every database wait is bounded where it happens; a timeout that escapes is a bug.
    (TimeoutError(SECRET), 500, "about:blank"),
    (asyncpg.exceptions.InternalServerError(SECRET), 500, "about:blank"),
]

# An unknown sqlstate (22P02 here, or none at all) is our bug, so 500.
SQLSTATE_STATUSES = [
    ("57014", 422),
    ("08006", 503),
    ("08001", 503),
    ("53300", 503),
    ("40P01", 503),
    ("40001", 503),
    ("23503", 400),
    ("22P02", 500),
    (None, 500),
]

PROBLEM_SLUGS = ["validation-error", "query-timeout", "unavailable"]


class ExplodingQueries:
    """Stands in for the repository: its ``ping`` fails as our own bug would."""

    async def ping(self, conn: object) -> int:
        raise RuntimeError(SECRET)


def raising_app(error: BaseException) -> Starlette:
    """An app whose one route raises ``error``, behind the real middleware and handlers."""

    async def fail(request: Request) -> None:
        raise error

    return Starlette(
        routes=[Route("/fail", fail)],
        middleware=[Middleware(RequestContextMiddleware)],
        exception_handlers=EXCEPTION_HANDLERS,
    )


async def test_an_unknown_route_is_404_about_blank(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/no/such/route"), 404)


async def test_a_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.post("/healthz", json={})
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_an_unexpected_exception_is_500_without_its_text(
    app: Starlette, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(health, "sql", ExplodingQueries())
    async with client_for(app, raise_app_exceptions=False) as client:
        response = await client.get("/readyz", headers={"X-Request-ID": "trace-500"})
    body = assert_problem(response, 500)
    assert "secret" not in response.text
    assert body["title"] == "Internal Server Error"
    assert response.headers["x-request-id"] == "trace-500"
    assert any("trace-500" in record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR)


@pytest.mark.parametrize(
    ("error", "status", "type_"), ESCAPING_ERRORS, ids=[type(error).__name__ for error, _, _ in ESCAPING_ERRORS]
)
async def test_an_escaping_error_maps_to_its_problem(error: BaseException, status: int, type_: str) -> None:
    async with client_for(raising_app(error), raise_app_exceptions=False) as client:
        response = await client.get("/fail")
    assert_problem(response, status, type_)
    assert "secret" not in response.text


@pytest.mark.parametrize(("sqlstate", "status"), SQLSTATE_STATUSES)
def test_sqlstates_map_to_statuses(sqlstate: str | None, status: int) -> None:
    assert problem_for_sqlstate(sqlstate).status == status


async def test_a_503_tells_the_client_when_to_retry() -> None:
    async with client_for(raising_app(asyncpg.exceptions.ConnectionFailureError(SECRET))) as client:
        response = await client.get("/fail")
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize("slug", PROBLEM_SLUGS)
async def test_each_problem_type_is_documented_at_its_url(client: httpx.AsyncClient, slug: str) -> None:
    response = await client.get(f"/problems/{slug}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f"/problems/{slug}" in response.text


async def test_an_unknown_problem_slug_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/problems/no-such-problem"), 404)


class FailingKeyList:
    """Stands in for the repository behind GET /v1/api-keys: listing fails as our bug would."""

    async def list_api_keys(self, conn: object, **params: object) -> None:
        raise RuntimeError(SECRET)


async def test_a_500_of_an_authenticated_request_keeps_its_rate_limit_fields(
    app: Starlette, monkeypatch: pytest.MonkeyPatch, auth: dict[str, str]
) -> None:
    monkeypatch.setattr(api_keys, "sql", FailingKeyList())
    async with client_for(app, raise_app_exceptions=False) as client:
        response = await client.get("/v1/api-keys", headers=auth)
    assert_problem(response, 500)
    assert response.headers["ratelimit"].startswith('"default";r=')
    assert "ratelimit-policy" in response.headers
