"""The one pool under pressure: a bounded wait for a connection, then 503, then recovery."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from service.settings import Settings
from tests.conftest import KeyFactory, bearer, client_for, running_app
from tests.helpers import assert_problem, test_sql
from tests.seed_graph import Graph, seed

POOL_TIMEOUT_MS = 300


@pytest.fixture
async def small_pool_app(settings: Settings) -> AsyncIterator[Starlette]:
    small = settings.replace(pool_min_size=2, pool_max_size=2, pool_timeout_ms=POOL_TIMEOUT_MS)
    async with running_app(small) as app:
        yield app


async def test_requests_beyond_the_pool_wait_a_bounded_time_then_answer_503(
    app: Starlette, small_pool_app: Starlette, auth: dict[str, str], workspace: int
) -> None:
    async with app.state.pool.acquire() as conn:
        await seed(conn, workspace, Graph([("t", "a")], []))
    answers: list[tuple[int, float, httpx.Response]] = []
    four_answered = anyio.Event()
    async with client_for(small_pool_app) as client:

        async def traverse() -> None:
            started = time.monotonic()
            response = await client.post("/v1/query/traverse", json={"start": "t:a"}, headers=auth)
            answers.append((response.status_code, time.monotonic() - started, response))
            if len(answers) == 4:
                four_answered.set()

        # Leaving the block commits first, which frees the lock; then the group waits for the rest.
        async with (
            anyio.create_task_group() as group,
            app.state.pool.acquire() as blocker,
            blocker.transaction(),
        ):
            # Traversals now wait on the lock, each holding one of the two connections.
            await test_sql.lock_edges(blocker)
            for _ in range(6):
                group.start_soon(traverse)
            with anyio.fail_after(10):
                await four_answered.wait()
            refused = list(answers)
        assert [status for status, _, _ in refused] == [503] * 4
        for _, elapsed, response in refused:
            assert_problem(response, 503, "/problems/unavailable")
            assert int(response.headers["retry-after"]) >= 1
            assert elapsed < POOL_TIMEOUT_MS / 1000 * 2 + 1.0
        assert sorted(status for status, _, _ in answers[4:]) == [200, 200]
        recovered = await client.post("/v1/query/traverse", json={"start": "t:a"}, headers=auth)
        assert recovered.status_code == 200


async def test_a_connection_goes_back_to_the_pool_as_it_came_out(settings: Settings, make_key: KeyFactory) -> None:
    """The pool skips asyncpg's reset round trip (db.keep_session), so no
    request may leave session state behind: no session-level setting (an
    import's are transaction-local), temporary table, cursor, listener or
    advisory lock. One connection serves every request here."""
    one = settings.replace(pool_min_size=1, pool_max_size=1)
    auth = bearer(await make_key())
    lines = (
        '{"node": {"type": "t", "key": "a"}}\n'
        '{"node": {"type": "t", "key": "b"}}\n'
        '{"edge": {"source": "t:a", "type": "e", "target": "t:b"}}\n'
    )
    async with running_app(one) as app, client_for(app) as client:
        imported = await client.post(
            "/v1/import", content=lines, headers={**auth, "Content-Type": "application/x-ndjson"}
        )
        assert imported.status_code == 200, imported.text
        traversed = await client.post("/v1/query/traverse", json={"start": "t:a", "depth": 1}, headers=auth)
        assert traversed.status_code == 200
        async with app.state.pool.acquire() as conn:
            state = dict(await test_sql.session_state(conn))
    assert state == {
        "session_settings": [],
        "temporary_tables": 0,
        "cursors": 0,
        "listening_channels": 0,
        "advisory_locks": 0,
        "sql_prepared_statements": 0,
    }


async def test_pool_connections_get_their_planner_settings(app: Starlette) -> None:
    async with app.state.pool.acquire() as conn:
        planner = dict(await test_sql.planner_settings(conn))
    assert planner == {"plan_cache_mode": "force_generic_plan", "jit": "off", "work_mem": "16MB"}
