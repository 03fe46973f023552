"""The failure this suite exists to prevent: a pool touched from a second event loop."""

from __future__ import annotations

import asyncio
import threading

import asyncpg
import pytest
from starlette.applications import Starlette

from service.repository import sql


@pytest.fixture(scope="session")
async def session_loop(anyio_backend: str) -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


async def test_tests_run_on_the_loop_of_the_session_fixtures(session_loop: asyncio.AbstractEventLoop) -> None:
    assert asyncio.get_running_loop() is session_loop


async def test_the_app_pool_lives_on_the_running_loop(app: Starlette) -> None:
    pool = app.state.pool
    assert pool._loop is asyncio.get_running_loop()
    async with pool.acquire() as conn:
        assert await sql.ping(conn) == 1


def test_a_pool_used_from_another_loop_fails_loudly(database_url: str) -> None:
    """Negative control: what the session runner prevents is a real, detectable error."""
    outcome: list[BaseException | None] = []

    async def open_connection() -> asyncpg.Connection:
        return await asyncpg.connect(database_url)

    async def use(conn: asyncpg.Connection) -> object:
        return await asyncio.wait_for(conn.fetchval("select 1"), timeout=5)

    def cross_loops() -> None:
        home = asyncio.new_event_loop()
        other = asyncio.new_event_loop()
        conn = home.run_until_complete(open_connection())
        try:
            other.run_until_complete(use(conn))
            outcome.append(None)
        except Exception as exc:  # the error itself is the result
            outcome.append(exc)
        finally:
            conn.terminate()
            home.run_until_complete(asyncio.sleep(0))  # lets the socket close
            home.close()
            other.close()

    worker = threading.Thread(target=cross_loops)
    worker.start()
    worker.join(timeout=30)
    assert outcome, "the cross-loop call hung"
    assert "attached to a different loop" in str(outcome[0])
