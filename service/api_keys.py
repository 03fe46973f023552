"""``/v1/api-keys``: an admin key creates, lists and revokes its workspace's keys."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.auth import PUBLIC_ID, issue_key, prefix_of, principal_of
from service.bodies import read_json, read_query
from service.db import connect
from service.errors import NotFound
from service.models import ApiKeyPage, CreateApiKey, CreatedApiKey, ListedApiKey, PageQuery
from service.paging import cursor_position, next_cursor
from service.repository import sql
from service.routing import operation, respond, route

CURSOR_KIND = "api-keys"


def _key_fields(row: Any, default_rate_limit: int) -> dict[str, Any]:
    return {
        "id": row["public_id"],
        "name": row["name"],
        "scopes": row["scopes"],
        "prefix": prefix_of(row["public_id"]),
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "rate_limit_per_minute": row["rate_limit_per_minute"] or default_rate_limit,
    }


@operation(
    summary="Create an API key in the caller's workspace; the key is shown only in this answer",
    scope="admin",
    body=CreateApiKey,
    responses={201: CreatedApiKey},
)
async def create_key(request: Request) -> Response:
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
    created = CreatedApiKey(**_key_fields(row, request.app.state.settings.rate_limit), key=full_key)
    return respond(created, status_code=201)


@operation(
    summary="List the workspace's API keys in creation order, revoked ones included",
    scope="admin",
    query=PageQuery,
    responses={200: ApiKeyPage},
)
async def list_keys(request: Request) -> Response:
    query = read_query(request, PageQuery)
    position = cursor_position(request, CURSOR_KIND, query.cursor, {"parameter": "cursor"})
    after_id = position[0] if position else 0
    async with connect(request) as db:
        rows = await sql.list_api_keys(
            db, workspace_id=principal_of(request).workspace_id, after_id=after_id, limit=query.limit + 1
        )
    default_rate_limit = request.app.state.settings.rate_limit
    items = [
        ListedApiKey(
            **_key_fields(row, default_rate_limit), last_used_at=row["last_used_at"], revoked_at=row["revoked_at"]
        )
        for row in rows[: query.limit]
    ]
    more = len(rows) > query.limit
    cursor = next_cursor(request, CURSOR_KIND, [rows[query.limit - 1]["id"]] if more else None)
    return respond(ApiKeyPage(items=items, next_cursor=cursor))


@operation(
    summary="Revoke an API key; it answers 401 from then on",
    scope="admin",
    responses={204: None},
    problems=(404,),
)
async def revoke_key(request: Request) -> Response:
    public_id = request.path_params["id"]
    # An id no key could have is simply not found; it never reaches PostgreSQL.
    if not PUBLIC_ID.fullmatch(public_id):
        raise NotFound("This workspace has no API key with that id.")
    async with connect(request) as db:
        revoked = await sql.revoke_api_key(db, workspace_id=principal_of(request).workspace_id, public_id=public_id)
    if revoked is None:
        raise NotFound("This workspace has no API key with that id.")
    return Response(status_code=204)


routes = [
    route("/api-keys", GET=list_keys, POST=create_key),
    route("/api-keys/{id}", DELETE=revoke_key),
]
