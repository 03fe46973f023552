"""``create_app(settings)``: the Starlette application, its routes, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from service import api_keys, batch, docs, edges, health, imports, metrics, nodes, openapi, problems, queries
from service.auth import AuthMiddleware
from service.cursors import CursorCodec
from service.db import init_connection, open_pool
from service.errors import EXCEPTION_HANDLERS
from service.metrics import Metrics
from service.middleware import BodyLimitMiddleware, RequestContextMiddleware
from service.observe import ObserveMiddleware
from service.repository import sql
from service.settings import Settings

# Streams of any size; the import route reads them piecewise.
UNLIMITED_BODY_PATHS = frozenset({"/v1/import"})


def create_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        raise ValueError("create_app needs settings.database_url; the CLI starts an embedded server first")
    dsn = settings.database_url
    app_metrics = Metrics()

    async def init(conn: asyncpg.Connection) -> None:
        await init_connection(conn)
        # Read with the first connection, not at start-up: the service starts
        # (and answers 503) while PostgreSQL is down, and every request that
        # pages has been authenticated through a pool connection first.
        if getattr(app.state, "cursors", None) is None:
            app.state.cursors = CursorCodec(await sql.get_secret(conn, name="cursor_signing_key"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_pool(settings, dsn, init=init) as pool:
            app.state.pool = pool
            yield
        app_metrics.process_stopped()

    routes = [
        *health.routes,
        *problems.routes,
        *openapi.routes,
        *docs.routes,
        *metrics.routes,
        Mount(
            "/v1",
            routes=[*api_keys.routes, *nodes.routes, *edges.routes, *batch.routes, *imports.routes, *queries.routes],
            middleware=[Middleware(AuthMiddleware)],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(ObserveMiddleware, metrics=app_metrics),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, unlimited_paths=UNLIMITED_BODY_PATHS),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cursors = None
    app.state.metrics = app_metrics
    return app


def create_app_from_env() -> Starlette:
    """The uvicorn factory that ``skein serve`` names, so every worker builds its own app."""
    return create_app(Settings.from_env())
