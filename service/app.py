"""``create_app(settings)``: the Starlette application, its routes, middleware and lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount

from service import api_keys, batch, edges, health, imports, nodes, problems
from service.auth import AuthMiddleware
from service.cursors import CursorCodec
from service.db import create_pool
from service.errors import EXCEPTION_HANDLERS
from service.middleware import BodyLimitMiddleware, RequestContextMiddleware
from service.repository import sql
from service.settings import Settings

# Streams of any size; the import route reads them piecewise.
UNLIMITED_BODY_PATHS = frozenset({"/v1/import"})


def create_app(settings: Settings) -> Starlette:
    if settings.database_url is None:
        raise ValueError("create_app needs settings.database_url; the CLI starts an embedded server first")
    dsn = settings.database_url

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with create_pool(settings, dsn) as pool:
            app.state.pool = pool
            async with pool.acquire() as conn:
                app.state.cursors = CursorCodec(await sql.get_secret(conn, name="cursor_signing_key"))
            yield

    routes = [
        *health.routes,
        *problems.routes,
        Mount(
            "/v1",
            routes=[*api_keys.routes, *nodes.routes, *edges.routes, *batch.routes, *imports.routes],
            middleware=[Middleware(AuthMiddleware)],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestContextMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, unlimited_paths=UNLIMITED_BODY_PATHS),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


def create_app_from_env() -> Starlette:
    """The uvicorn factory that ``skein serve`` names, so every worker builds its own app."""
    return create_app(Settings.from_env())
