"""Liveness never touches the database; readiness answers 503 within about a second without it."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from service.settings import Settings
from tests.conftest import client_for, running_app
from tests.helpers import assert_problem, closed_loopback_port

# /readyz gives PostgreSQL a second; the rest is slack for a loaded machine.
READY_ANSWER_BOUND_SECONDS = 1.5


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) but never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def without_database(settings: Settings, port: int) -> Settings:
    # pool_min_size=0: the lifespan opens no connection, so the app starts with the server down.
    return settings.replace(database_url=f"postgresql://postgres@127.0.0.1:{port}/skein", pool_min_size=0)


@pytest.fixture
async def refused_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with closed_loopback_port() as port:
        async with running_app(without_database(settings, port)) as app, client_for(app) as client:
            yield client


async def test_healthz_answers_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_200_when_postgres_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200


async def test_readyz_answers_503_when_postgres_refuses_connections(refused_client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await refused_client.get("/readyz")
    assert time.monotonic() - started < READY_ANSWER_BOUND_SECONDS
    assert_problem(response, 503, "/problems/unavailable")
    assert int(response.headers["retry-after"]) >= 1


@pytest.mark.slow  # waits out the one second /readyz allows
async def test_readyz_answers_503_within_a_second_when_postgres_hangs(settings: Settings, silent_port: int) -> None:
    async with running_app(without_database(settings, silent_port)) as app, client_for(app) as client:
        started = time.monotonic()
        response = await client.get("/readyz")
        elapsed = time.monotonic() - started
    assert elapsed < READY_ANSWER_BOUND_SECONDS
    assert_problem(response, 503, "/problems/unavailable")
    assert int(response.headers["retry-after"]) >= 1


async def test_healthz_answers_ok_while_postgres_is_down(refused_client: httpx.AsyncClient) -> None:
    response = await refused_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
