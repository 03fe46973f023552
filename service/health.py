"""Liveness and readiness: ``/healthz`` never touches the database, ``/readyz`` does."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse

from service.errors import Unavailable
from service.repository import sql

READY_WITHIN_SECONDS = 1.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    pool = request.app.state.pool
    try:
        with anyio.fail_after(READY_WITHIN_SECONDS):
            async with pool.acquire() as conn:
                await sql.ping(conn)
    except (TimeoutError, OSError) as exc:
        raise Unavailable("PostgreSQL did not answer within a second.") from exc
    return JSONResponse({"status": "ready"})
