"""A request's database work runs within SKEIN_QUERY_TIMEOUT_MS in total, and is cancelled past it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from service.db import Db, QueryBudget
from service.errors import QueryTimeout
from service.repository import sql
from service.settings import Settings
from tests.conftest import client_for, running_app
from tests.helpers import assert_problem, test_sql
from tests.seed_graph import Graph, seed

BUDGET_MS = 300


@pytest.fixture
async def tight_app(settings: Settings) -> AsyncIterator[Starlette]:
    async with running_app(settings.replace(query_timeout_ms=BUDGET_MS, pool_min_size=2, pool_max_size=2)) as app:
        yield app


@pytest.fixture
async def tight_client(tight_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(tight_app) as client:
        yield client


async def test_a_query_past_the_budget_is_cancelled_and_answers_422(
    app: Starlette,
    tight_app: Starlette,
    tight_client: httpx.AsyncClient,
    auth: dict[str, str],
    workspace: int,
    settings: Settings,
) -> None:
    async with app.state.pool.acquire() as conn:
        await seed(conn, workspace, Graph([("t", "a")], []))
    database = urlsplit(settings.database_url or "").path.lstrip("/")
    async with app.state.pool.acquire() as blocker, blocker.transaction():
        await test_sql.lock_edges(blocker)
        started = time.monotonic()
        response = await tight_client.post("/v1/query/traverse", json={"start": "t:a"}, headers=auth)
        elapsed = time.monotonic() - started
        # Cancelled in PostgreSQL, not merely abandoned by the client.
        still_running = await test_sql.count_waiting_queries(blocker, database=database)
    assert_problem(response, 422, "/problems/query-timeout")
    assert elapsed < BUDGET_MS / 1000 + 1.0
    assert still_running == 0


async def test_the_pool_stays_whole_and_healthy_after_timeouts(
    app: Starlette, tight_app: Starlette, tight_client: httpx.AsyncClient, auth: dict[str, str], workspace: int
) -> None:
    async with app.state.pool.acquire() as conn:
        await seed(conn, workspace, Graph([("t", "a")], []))
    async with app.state.pool.acquire() as blocker, blocker.transaction():
        await test_sql.lock_edges(blocker)
        for _ in range(3):
            response = await tight_client.post("/v1/query/traverse", json={"start": "t:a"}, headers=auth)
            assert response.status_code == 422
    for _ in range(5):
        response = await tight_client.post("/v1/query/traverse", json={"start": "t:a"}, headers=auth)
        assert response.status_code == 200
    assert tight_app.state.pool.get_size() == 2


async def test_the_budget_is_shared_by_all_statements_of_a_request(app: Starlette) -> None:
    async with app.state.pool.acquire() as conn:
        db = Db(conn, QueryBudget(0.5))
        await test_sql.sleep(db, seconds=0.3)
        with pytest.raises(QueryTimeout):
            await test_sql.sleep(db, seconds=0.3)
        assert db.budget.remaining <= 0
        assert await sql.ping(conn) == 1
