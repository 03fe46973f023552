"""Liveness and readiness: ``/healthz`` never touches the database, ``/readyz`` does."""

from __future__ import annotations

import anyio
from starlette.requests import Request
from starlette.responses import Response

from service.errors import Unavailable
from service.models import Health
from service.repository import sql
from service.routing import operation, respond, route

READY_WITHIN_SECONDS = 1.0


@operation(summary="Liveness: answers while the process runs, PostgreSQL up or down", responses={200: Health})
async def healthz(request: Request) -> Response:
    return respond(Health(status="ok"))


@operation(summary="Readiness: PostgreSQL answers within a second", responses={200: Health}, problems=(503,))
async def readyz(request: Request) -> Response:
    pool = request.app.state.pool
    try:
        with anyio.fail_after(READY_WITHIN_SECONDS):
            async with pool.acquire() as conn:
                await sql.ping(conn)
    except (TimeoutError, OSError) as exc:
        raise Unavailable("PostgreSQL did not answer within a second.") from exc
    return respond(Health(status="ready"))


routes = [
    route("/healthz", GET=healthz),
    route("/readyz", GET=readyz),
]
