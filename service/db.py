"""The one asyncpg pool, and how a request borrows a connection from it."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import Any, TypeVar

import asyncpg
from starlette.requests import Request

from service.errors import PoolTimeout, QueryTimeout
from service.settings import Settings

T = TypeVar("T")


async def init_connection(conn: asyncpg.Connection) -> None:
    """Run once per new pool connection: JSON in and out as Python objects."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name,
            encoder=_compact_json,
            decoder=json.loads,
            schema="pg_catalog",
        )


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Skein's statements take their inputs as arrays and flags, which a custom
# plan cannot exploit; planning the recursive traversal anew each time costs
# more than the query itself on small graphs. Generic plans are made once
# per connection and reused.
#
# A deep traversal sorts tens of thousands of nodes with their JSON: about
# 5 MB at the 10,000-node limit on the benchmark graph, whose properties are
# empty. PostgreSQL's default work_mem of 4 MB spilled that sort to disk;
# nodes with larger properties may still spill (slower, never wrong). Each
# sort or hash of a statement may take this much, per connection.
#
# No JIT: a generic plan cannot see the limit's value, so its cost estimate
# can pass jit_above_cost for a query that reads one page. PostgreSQL then
# compiled list_edges on every execution, 11.7 ms of JIT for a first page
# that takes 0.9 ms without it (a million edges). Skein's statements are
# short; compiling never pays.
SERVER_SETTINGS = {
    "application_name": "skein",
    "plan_cache_mode": "force_generic_plan",
    "work_mem": "16MB",
    "jit": "off",
}


def open_pool(
    settings: Settings, dsn: str, init: Callable[[asyncpg.Connection], Awaitable[None]] = init_connection
) -> asyncpg.Pool:
    """The pool the lifespan enters; ``statement_timeout`` is the server-side backstop."""
    return asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        init=init,
        timeout=settings.pool_timeout_ms / 1000,
        server_settings=SERVER_SETTINGS | {"statement_timeout": str(settings.query_timeout_ms)},
        reset=keep_session,
    )


async def keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to undo when a connection goes back to the pool.

    asyncpg rolls back a transaction left open either way. Its default reset
    (RESET ALL, CLOSE ALL, UNLISTEN, advisory unlock) would cost a round trip
    on every release, for session state Skein never creates: settings change
    only with SET LOCAL/set_config(..., true), and there are no cursors,
    listeners or session advisory locks on pool connections.
    """


class QueryBudget:
    """What is left of a request's ``SKEIN_QUERY_TIMEOUT_MS``, spent by every statement."""

    def __init__(self, total_seconds: float) -> None:
        self.remaining = total_seconds

    @classmethod
    def of(cls, request: Request) -> QueryBudget:
        budget = getattr(request.state, "query_budget", None)
        if budget is None:
            budget = cls(request.app.state.settings.query_timeout_ms / 1000)
            request.state.query_budget = budget
        return budget


class Db:
    """A pool connection lent to one request; its statements share the request's budget.

    It has asyncpg's ``fetch``/``fetchrow``/``fetchval``/``execute``, so the
    repository functions take it where they would take a connection. A
    statement past the budget is cancelled in PostgreSQL by asyncpg and raises
    ``QueryTimeout``.
    """

    def __init__(self, conn: asyncpg.Connection, budget: QueryBudget) -> None:
        self.conn = conn
        self.budget = budget

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await self._run(self.conn.fetch, query, args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        return await self._run(self.conn.fetchrow, query, args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run(self.conn.fetchval, query, args)

    async def execute(self, query: str, *args: Any) -> str:
        return await self._run(self.conn.execute, query, args)

    def transaction(self) -> Any:
        return self.conn.transaction()

    async def _run(self, method: Any, query: str, args: tuple[Any, ...]) -> Any:
        if self.budget.remaining <= 0:
            raise QueryTimeout()
        started = time.monotonic()
        try:
            return await method(query, *args, timeout=self.budget.remaining)
        except TimeoutError:
            raise QueryTimeout() from None
        finally:
            self.budget.remaining -= time.monotonic() - started


@asynccontextmanager
async def connect(request: Request) -> AsyncIterator[Db]:
    """Borrow a connection from the app's pool for this request's database work."""
    pool: asyncpg.Pool = request.app.state.pool
    settings: Settings = request.app.state.settings
    try:
        conn = await pool.acquire(timeout=settings.pool_timeout_ms / 1000)
    except TimeoutError:
        raise PoolTimeout() from None
    try:
        yield Db(conn, QueryBudget.of(request))
    finally:
        await pool.release(conn)


# A deadlock or serialization failure aborts one transaction so that the
# others can go on: running it again usually succeeds at once. A foreign-key
# violation means a node named by an edge was deleted after the statement
# read it; run again, the transaction sees the node missing and answers the
# precise validation problem instead.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "23503"})
WRITE_ATTEMPTS = 5
# Jittered, doubling: conflicting transactions come back at different times.
BACKOFF_SECONDS = 0.005


async def write_transaction(request: Request, work: Callable[[Db], Awaitable[T]]) -> T:
    """Run ``work`` in a transaction, again from the start when PostgreSQL aborts it for a conflict."""
    return await _retrying_conflicts(request, work, transaction=True)


async def write_statement(request: Request, work: Callable[[Db], Awaitable[T]]) -> T:
    """Like ``write_transaction`` for work of one statement, which is its own transaction.

    No BEGIN and COMMIT around it: two round trips less on every single write.
    """
    return await _retrying_conflicts(request, work, transaction=False)


async def _retrying_conflicts(request: Request, work: Callable[[Db], Awaitable[T]], *, transaction: bool) -> T:
    """Every attempt spends the request's one query budget. When the last
    attempt still conflicts its error goes up to the sqlstate table (503 for
    deadlocks and serialization failures).
    """
    attempt = 1
    async with connect(request) as db:
        while True:
            try:
                async with db.transaction() if transaction else nullcontext():
                    return await work(db)
            except asyncpg.PostgresError as exc:
                if exc.sqlstate not in RETRYABLE_SQLSTATES or attempt == WRITE_ATTEMPTS:
                    raise
            await asyncio.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
            attempt += 1
