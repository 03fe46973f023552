"""Auth benchmark: what authentication and rate limiting cost on a cheap read.

    .venv/bin/python scripts/bench_auth.py [--seconds 5] [--rounds 3] [--concurrency 32]

Requests per second of GET /v1/nodes/{type}/{key} through the real app (one
round trip authenticates and spends the key's bucket, one reads the node),
next to the same route in an app this script builds with authentication and
rate limiting switched off: its /v1 mount assumes a fixed principal instead.
That construction lives only here, never in the service. Both apps run in
this process on one database (DATABASE_URL, or an embedded one under .bench/),
driven through ASGI by --concurrency clients for --seconds; the real app is
measured with 16 keys in rotation and with one key (every request then
contends for one bucket row). The configurations alternate for --rounds
rounds, and the table shows each one's median.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from collections.abc import Callable

import asyncpg
import httpx
from benchkit import bench_database, print_table
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from service.app import create_app
from service.auth import SCOPES, Principal, issue_key
from service.db import init_connection
from service.repository import sql
from service.settings import Settings

NODES = 1_000


class AssumedPrincipal:
    """Bench only: every request is this principal's, with no key, lookup or bucket."""

    def __init__(self, app: ASGIApp, principal: Principal) -> None:
        self.app = app
        self.principal = principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            Request(scope).state.principal = self.principal
        await self.app(scope, receive, send)


def without_auth(app: Starlette, principal: Principal) -> Starlette:
    """The same app, its /v1 mount rebuilt around the same routes without AuthMiddleware."""
    for index, route in enumerate(app.router.routes):
        if isinstance(route, Mount) and route.path == "/v1":
            middleware = [Middleware(AssumedPrincipal, principal=principal)]
            app.router.routes[index] = Mount("/v1", routes=route.routes, middleware=middleware)
    return app


async def seed(dsn: str) -> tuple[int, list[str]]:
    """A workspace with NODES nodes, and 16 keys able to read them."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    try:
        workspace = (await sql.create_workspace(conn, name="auth-bench"))["id"]
        for n in range(NODES):
            await sql.upsert_node(conn, workspace_id=workspace, type="svc", key=f"node-{n}", properties={"n": n})
        keys = []
        for _ in range(16):
            _, key = await issue_key(
                conn, workspace_id=workspace, name="bench", scopes=list(SCOPES), rate_limit_per_minute=10_000_000
            )
            keys.append(key)
    finally:
        await conn.close()
    return workspace, keys


async def throughput(app: Starlette, keys: list[str], seconds: float, concurrency: int) -> float:
    rotation = itertools.cycle(keys)
    node_numbers = itertools.cycle(range(NODES))
    done = 0
    deadline = time.monotonic() + seconds
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                headers = {"Authorization": f"Bearer {next(rotation)}"}
                response = await client.get(f"/v1/nodes/svc/node-{next(node_numbers)}", headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text}")
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.monotonic() - started)


async def measure(dsn: str, args: argparse.Namespace) -> None:
    workspace, keys = await seed(dsn)
    settings = Settings(database_url=dsn)
    principal = Principal(key_id=0, workspace_id=workspace, prefix="skn_bench", scopes=frozenset(SCOPES))
    real, open_ = create_app(settings), without_auth(create_app(settings), principal)
    configurations: list[tuple[str, Starlette, list[str]]] = [
        ("no authentication, no rate limit (bench-only app)", open_, keys[:1]),
        ("authentication + rate limit, 16 keys in rotation", real, keys),
        ("authentication + rate limit, 1 key", real, keys[:1]),
    ]
    results: dict[str, list[float]] = {label: [] for label, _, _ in configurations}
    async with real.router.lifespan_context(real), open_.router.lifespan_context(open_):
        warm: Callable[[Starlette], object] = lambda app: throughput(app, keys, 1.0, args.concurrency)  # noqa: E731
        await warm(real)
        await warm(open_)
        for _ in range(args.rounds):
            for label, app, app_keys in configurations:
                results[label].append(await throughput(app, app_keys, args.seconds, args.concurrency))
    baseline = statistics.median(results[configurations[0][0]])
    rows = []
    for label, _, _ in configurations:
        rate = statistics.median(results[label])
        runs = ", ".join(f"{r:.0f}" for r in results[label])
        rows.append([label, f"{rate:.0f}", f"{rate / baseline:.0%}", f"{1 - rate / baseline:.0%}", runs])
    print_table(["configuration", "requests/s (median)", "of no-auth", "auth cost", "runs"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with bench_database() as dsn:
        asyncio.run(measure(dsn, args))


if __name__ == "__main__":
    main()
