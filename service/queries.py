"""``/v1/query/*``: neighbours, bounded traversal and shortest path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import read_json
from service.db import Db, connect
from service.errors import NotFound
from service.paging import cursor_position, next_cursor
from service.query_models import (
    Edge,
    Neighbor,
    NeighborPage,
    NeighborsQuery,
    Node,
    Path,
    PathQuery,
    PathResult,
    Traversal,
    TraverseQuery,
)
from service.refs import split_ref
from service.repository import sql
from service.routing import operation, respond, respond_rendered, route
from service.traversal import DIRECTIONS, shortest_path

NEIGHBORS_CURSOR = "neighbors"


def split_refs(refs: Sequence[str]) -> tuple[list[str], list[str]]:
    pairs = [split_ref(ref) for ref in refs]
    return [node_type for node_type, _ in pairs], [key for _, key in pairs]


def not_found(refs: Sequence[str], position: int) -> NotFound:
    return NotFound(f"No node {refs[position - 1]!r} in this workspace.")


async def resolve(db: Db, workspace_id: int, refs: Sequence[str]) -> list[Any]:
    """The node rows of ``refs``, in order; a ref that does not exist here answers 404."""
    types, keys = split_refs(refs)
    rows = await sql.find_nodes(db, workspace_id=workspace_id, types=types, keys=keys)
    by_position = {row["ord"]: row for row in rows}
    for position in range(1, len(refs) + 1):
        if position not in by_position:
            raise not_found(refs, position)
    return [by_position[position] for position in range(1, len(refs) + 1)]


def _context(request: Request) -> dict[str, Any]:
    return {"max_depth": request.app.state.settings.max_depth}


@operation(
    summary="A node's neighbours: one item per joining edge",
    scope="read",
    body=NeighborsQuery,
    responses={200: NeighborPage},
    problems=(404,),
)
async def neighbors(request: Request) -> Response:
    query = await read_json(request, NeighborsQuery)
    position = cursor_position(request, NEIGHBORS_CURSOR, query.cursor, {"pointer": "#/cursor"})
    outgoing, incoming = DIRECTIONS[query.direction]
    async with connect(request) as db:
        (origin,) = await resolve(db, principal_of(request).workspace_id, [query.node])
        rows = await sql.neighbors(
            db,
            origin_id=origin["id"],
            outgoing=outgoing,
            incoming=incoming,
            edge_types=query.edge_types,
            node_types=query.node_types,
            after=position,
            limit=query.limit + 1,
        )
    origin_ref = query.node
    items = []
    for row in rows[: query.limit]:
        node = Node.of_row(row, prefix="node_")
        source, target = (origin_ref, node.ref) if row["rank"] == 0 else (node.ref, origin_ref)
        edge = Edge(
            source=source,
            type=row["edge_type"],
            target=target,
            properties=row["edge_properties"],
            created_at=row["edge_created_at"],
            updated_at=row["edge_updated_at"],
        )
        items.append(Neighbor(node=node, edge=edge))
    last = rows[query.limit - 1] if len(rows) > query.limit else None
    position_after = [last["node_type"], last["node_key"], last["edge_type"], str(last["rank"])] if last else None
    return respond(NeighborPage(items=items, next_cursor=next_cursor(request, NEIGHBORS_CURSOR, position_after)))


@operation(
    summary="Every node reachable within depth hops, each once, at its fewest hops",
    scope="read",
    body=TraverseQuery,
    responses={200: Traversal},
    problems=(404,),
)
async def traverse(request: Request) -> Response:
    query = await read_json(request, TraverseQuery, _context(request))
    starts = [query.start] if isinstance(query.start, str) else query.start
    outgoing, incoming = DIRECTIONS[query.direction]
    start_types, start_keys = split_refs(starts)
    async with connect(request) as db:
        found = await sql.traverse(
            db,
            workspace_id=principal_of(request).workspace_id,
            start_types=start_types,
            start_keys=start_keys,
            max_depth=query.depth,
            outgoing=outgoing,
            incoming=incoming,
            edge_types=query.edge_types,
            node_types=query.node_types,
            limit=query.limit,
            with_ids=query.include_edges,
        )
        if found["missing"]:
            raise not_found(starts, found["missing"][0])
        edges_json = (
            await sql.induced_edges(db, node_ids=found["ids"], edge_types=query.edge_types)
            if query.include_edges
            else "[]"
        )
    truncated = "true" if found["truncated"] else "false"
    # Rendered by PostgreSQL: a traversal of thousands of nodes never becomes Python objects.
    return respond_rendered(f'{{"nodes":{found["nodes_json"]},"edges":{edges_json},"truncated":{truncated}}}')


@operation(
    summary="A shortest path by hop count between two nodes, or null when none within max_depth",
    scope="read",
    body=PathQuery,
    responses={200: PathResult},
    problems=(404,),
)
async def path(request: Request) -> Response:
    query = await read_json(request, PathQuery, _context(request))
    max_depth = query.max_depth or request.app.state.settings.max_depth
    async with connect(request) as db:
        source, target = await resolve(db, principal_of(request).workspace_id, [query.source, query.target])
        found = await shortest_path(
            db,
            source["id"],
            target["id"],
            direction=query.direction,
            edge_types=query.edge_types,
            node_types=query.node_types,
            max_depth=max_depth,
        )
        if found is None:
            return respond(PathResult(path=None))
        node_rows = await sql.get_nodes_by_id(db, ids=found.nodes)
        edge_rows = await sql.get_edges_by_id(
            db,
            source_ids=[edge[0] for edge in found.edges],
            types=[edge[1] for edge in found.edges],
            target_ids=[edge[2] for edge in found.edges],
        )
    result = Path(
        length=len(found.edges),
        nodes=[Node.of_row(row) for row in node_rows],
        edges=[Edge.of_row(row) for row in edge_rows],
    )
    return respond(PathResult(path=result))


routes = [
    route("/query/neighbors", POST=neighbors),
    route("/query/traverse", POST=traverse),
    route("/query/path", POST=path),
]
