"""``/v1/nodes``: put, get, merge-patch and delete one node; list a workspace's nodes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pydantic
from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import MERGE_PATCH_MEDIA_TYPES, body_errors, read_body, read_json, read_query
from service.db import Db, connect, write_statement, write_transaction
from service.errors import NotFound, ValidationFailed
from service.graph_models import (
    Node,
    NodeListQuery,
    NodePage,
    NodePatch,
    NodeWrite,
    check_properties,
)
from service.paging import cursor_position, next_cursor
from service.refs import NodeRef, check_key, check_type
from service.repository import sql
from service.routing import operation, respond, route

CURSOR_KIND = "nodes"


def node_address(request: Request) -> NodeRef:
    """The node a path names; Starlette has already decoded ``%2F`` and the rest."""
    node_type, key = request.path_params["type"], request.path_params["key"]
    errors = []
    for name, value, check in (("type", node_type, check_type), ("key", key, check_key)):
        try:
            check(value)
        except ValueError as exc:
            errors.append({"detail": str(exc), "parameter": name})
    if errors:
        raise ValidationFailed(errors)
    return NodeRef(node_type, key)


def node_location(ref: NodeRef) -> str:
    return f"/v1/nodes/{quote(ref.type, safe='')}/{quote(ref.key, safe='')}"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge member by member, null deletes a member, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge_patch(merged.get(name), value)
    return merged


@operation(
    summary="Create a node, or replace its properties whole",
    scope="write",
    body=NodeWrite,
    responses={201: Node, 200: Node},
)
async def put_node(request: Request) -> Response:
    ref = node_address(request)
    body = await read_json(request, NodeWrite)
    row = await write_statement(
        request,
        lambda db: sql.upsert_node(
            db, workspace_id=principal_of(request).workspace_id, type=ref.type, key=ref.key, properties=body.properties
        ),
    )
    if row["created"]:
        response = respond(Node.of_row(row), status_code=201)
        response.headers["Location"] = node_location(ref)
        return response
    return respond(Node.of_row(row))


@operation(summary="One node", scope="read", responses={200: Node}, problems=(404,))
async def get_node(request: Request) -> Response:
    ref = node_address(request)
    async with connect(request) as db:
        row = await sql.get_node(db, workspace_id=principal_of(request).workspace_id, type=ref.type, key=ref.key)
    if row is None:
        raise NotFound("This workspace has no such node.")
    return respond(Node.of_row(row))


@operation(
    summary="Apply a JSON Merge Patch (RFC 7396) to a node's properties",
    scope="write",
    body=NodePatch,
    body_media_types=("application/merge-patch+json", "application/json"),
    responses={200: Node},
    problems=(404,),
)
async def patch_node(request: Request) -> Response:
    ref = node_address(request)
    raw = await read_body(request, MERGE_PATCH_MEDIA_TYPES)
    try:
        patch = NodePatch.model_validate_json(raw).root
    except pydantic.ValidationError as exc:
        raise ValidationFailed(body_errors(exc.errors())) from None

    async def write(db: Db) -> Any:
        current = await sql.lock_node(db, workspace_id=principal_of(request).workspace_id, type=ref.type, key=ref.key)
        if current is None:
            raise NotFound("This workspace has no such node.")
        merged = merge_patch(current["properties"], patch)
        try:
            check_properties(merged)
        except ValueError as exc:
            raise ValidationFailed([{"detail": f"the patched properties {exc}", "pointer": "#"}]) from None
        return await sql.replace_node_properties(db, id=current["id"], properties=merged)

    return respond(Node.of_row(await write_transaction(request, write)))


@operation(summary="Delete a node and its edges, both ways", scope="write", responses={204: None}, problems=(404,))
async def delete_node(request: Request) -> Response:
    ref = node_address(request)
    deleted = await write_statement(
        request,
        lambda db: sql.delete_node(db, workspace_id=principal_of(request).workspace_id, type=ref.type, key=ref.key),
    )
    if deleted is None:
        raise NotFound("This workspace has no such node.")
    return Response(status_code=204)


@operation(
    summary="List nodes in (type, key) code-point order, optionally of one type and containing match",
    scope="read",
    query=NodeListQuery,
    responses={200: NodePage},
)
async def list_nodes(request: Request) -> Response:
    query = read_query(request, NodeListQuery)
    position = cursor_position(request, CURSOR_KIND, query.cursor, {"parameter": "cursor"})
    after_type, after_key = position if position else ("", "")
    workspace_id = principal_of(request).workspace_id
    async with connect(request) as db:
        if query.type is None:
            rows = await sql.list_nodes(
                db,
                workspace_id=workspace_id,
                match=query.match,
                after_type=after_type,
                after_key=after_key,
                limit=query.limit + 1,
            )
        else:
            rows = await sql.list_nodes_of_type(
                db,
                workspace_id=workspace_id,
                type=query.type,
                match=query.match,
                after_type=after_type,
                after_key=after_key,
                limit=query.limit + 1,
            )
    page = rows[: query.limit]
    more = len(rows) > query.limit
    cursor = next_cursor(request, CURSOR_KIND, [page[-1]["type"], page[-1]["key"]] if more else None)
    return respond(NodePage(items=[Node.of_row(row) for row in page], next_cursor=cursor))


routes = [
    route("/nodes", GET=list_nodes),
    route("/nodes/{type}/{key:path}", GET=get_node, PUT=put_node, PATCH=patch_node, DELETE=delete_node),
]
