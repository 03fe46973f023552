"""``/v1/api-keys``: an admin key creates, lists and revokes its workspace's keys."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.auth import issue_key, prefix_of, principal_of
from service.bodies import read_json, read_query
from service.db import connect
from service.errors import NotFound
from service.models import CreateApiKey, PageQuery, timestamp
from service.paging import cursor_position, page
from service.repository import sql
from service.routing import route

CURSOR_KIND = "api-keys"


def key_json(row: Any, default_rate_limit: int) -> dict[str, Any]:
    return {
        "id": row["public_id"],
        "name": row["name"],
        "scopes": list(row["scopes"]),
        "prefix": prefix_of(row["public_id"]),
        "created_at": timestamp(row["created_at"]),
        "expires_at": timestamp(row["expires_at"]),
        "rate_limit_per_minute": row["rate_limit_per_minute"] or default_rate_limit,
    }


async def create_key(request: Request) -> JSONResponse:
    body = await read_json(request, CreateApiKey)
    principal = principal_of(request)
    async with connect(request) as db:
        row, full_key = await issue_key(
            db,
            workspace_id=principal.workspace_id,
            name=body.name,
            scopes=body.scopes,
            rate_limit_per_minute=body.rate_limit_per_minute,
            expires_at=body.expires_at,
        )
    return JSONResponse({**key_json(row, request.app.state.settings.rate_limit), "key": full_key}, status_code=201)


async def list_keys(request: Request) -> JSONResponse:
    query = read_query(request, PageQuery)
    position = cursor_position(request, CURSOR_KIND, query.cursor, {"parameter": "cursor"})
    after_id = position[0] if position else 0
    async with connect(request) as db:
        rows = await sql.list_api_keys(
            db, workspace_id=principal_of(request).workspace_id, after_id=after_id, limit=query.limit + 1
        )
    default_rate_limit = request.app.state.settings.rate_limit
    items = [
        {
            **key_json(row, default_rate_limit),
            "last_used_at": timestamp(row["last_used_at"]),
            "revoked_at": timestamp(row["revoked_at"]),
        }
        for row in rows
    ]
    last = [rows[query.limit - 1]["id"]] if len(rows) > query.limit else None
    return JSONResponse(page(request, CURSOR_KIND, items, query.limit, last))


async def revoke_key(request: Request) -> Response:
    async with connect(request) as db:
        revoked = await sql.revoke_api_key(
            db, workspace_id=principal_of(request).workspace_id, public_id=request.path_params["id"]
        )
    if revoked is None:
        raise NotFound("This workspace has no API key with that id.")
    return Response(status_code=204)


routes = [
    route("/api-keys", GET=list_keys, POST=create_key),
    route("/api-keys/{id}", DELETE=revoke_key),
]
