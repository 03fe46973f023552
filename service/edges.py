"""``/v1/edges``: put and delete one edge; list a workspace's edges by any of its three parts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import read_json, read_query
from service.db import connect, write_statement
from service.errors import NotFound, ValidationFailed
from service.graph_models import Edge, EdgeDeleteQuery, EdgeListQuery, EdgePage, EdgeWrite
from service.paging import cursor_position, next_cursor
from service.refs import NodeRef
from service.repository import sql
from service.routing import operation, respond, route

CURSOR_KIND = "edges"
# The position before every edge: types and keys are never empty.
START = ["", "", "", "", ""]


@operation(
    summary="Create an edge between two existing nodes, or replace its properties whole",
    scope="write",
    body=EdgeWrite,
    responses={201: Edge, 200: Edge},
)
async def put_edge(request: Request) -> Response:
    body = await read_json(request, EdgeWrite)
    source, target = NodeRef.parse(body.source), NodeRef.parse(body.target)
    row = await write_statement(
        request,
        lambda db: sql.upsert_edge(
            db,
            workspace_id=principal_of(request).workspace_id,
            source_type=source.type,
            source_key=source.key,
            type=body.type,
            target_type=target.type,
            target_key=target.key,
            properties=body.properties,
        ),
    )
    missing = [
        {"detail": "no such node in this workspace", "pointer": pointer}
        for pointer, found in (("#/source", row["source_found"]), ("#/target", row["target_found"]))
        if not found
    ]
    if missing:
        raise ValidationFailed(missing, detail="An end of the edge does not exist; nothing was written.")
    edge = Edge(
        source=body.source,
        type=body.type,
        target=body.target,
        properties=row["properties"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
    return respond(edge, status_code=201 if row["created"] else 200)


@operation(
    summary="List edges matching every given filter, in (source, type, target) code-point order",
    scope="read",
    query=EdgeListQuery,
    responses={200: EdgePage},
)
async def list_edges(request: Request) -> Response:
    query = read_query(request, EdgeListQuery)
    position = cursor_position(request, CURSOR_KIND, query.cursor, {"parameter": "cursor"}) or START
    after = dict(
        zip(
            ("after_source_type", "after_source_key", "after_type", "after_target_type", "after_target_key"),
            position,
            strict=True,
        )
    )
    workspace_id = principal_of(request).workspace_id
    source = NodeRef.parse(query.source) if query.source else None
    target = NodeRef.parse(query.target) if query.target else None
    async with connect(request) as db:
        if source is not None:
            rows = await sql.list_edges_from_source(
                db,
                workspace_id=workspace_id,
                source_type=source.type,
                source_key=source.key,
                type=query.type,
                target_type=target.type if target else None,
                target_key=target.key if target else None,
                limit=query.limit + 1,
                **after,
            )
        elif target is not None:
            rows = await sql.list_edges_to_target(
                db,
                workspace_id=workspace_id,
                target_type=target.type,
                target_key=target.key,
                type=query.type,
                limit=query.limit + 1,
                **after,
            )
        else:
            rows = await sql.list_edges(db, workspace_id=workspace_id, type=query.type, limit=query.limit + 1, **after)
    page = rows[: query.limit]
    last = page[-1] if len(rows) > query.limit else None
    cursor = next_cursor(
        request,
        CURSOR_KIND,
        [last["source_type"], last["source_key"], last["type"], last["target_type"], last["target_key"]]
        if last
        else None,
    )
    return respond(EdgePage(items=[Edge.of_row(row) for row in page], next_cursor=cursor))


@operation(
    summary="Delete one edge, named by its source, type and target",
    scope="write",
    query=EdgeDeleteQuery,
    responses={204: None},
    problems=(404,),
)
async def delete_edge(request: Request) -> Response:
    query = read_query(request, EdgeDeleteQuery)
    source, target = NodeRef.parse(query.source), NodeRef.parse(query.target)
    deleted = await write_statement(
        request,
        lambda db: sql.delete_edge(
            db,
            workspace_id=principal_of(request).workspace_id,
            source_type=source.type,
            source_key=source.key,
            type=query.type,
            target_type=target.type,
            target_key=target.key,
        ),
    )
    if not deleted:
        raise NotFound("This workspace has no such edge.")
    return Response(status_code=204)


routes = [route("/edges", GET=list_edges, PUT=put_edge, DELETE=delete_edge)]
