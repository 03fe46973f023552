"""``POST /v1/batch``: up to 10,000 node and edge writes and deletions in one transaction.

Each of the four lists is one set-based statement over parallel arrays,
whatever its length: nodes, then edges, then edge and node deletions, in
the contract's order, so that edges may name nodes of the same batch.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import read_json
from service.db import Db, write_transaction
from service.errors import ValidationFailed
from service.graph_models import Batch, BatchResult, WriteCounts, compact_json
from service.refs import NodeRef
from service.repository import sql
from service.routing import operation, respond, route


def node_columns(batch: Batch) -> dict[str, list[str]]:
    """Each node once, from its last item, in (type, key) order."""
    latest = {(node.type, node.key): node.properties for node in batch.nodes}
    ordered = sorted(latest.items())
    return {
        "types": [node_type for (node_type, _), _ in ordered],
        "keys": [key for (_, key), _ in ordered],
        "properties": [compact_json(properties) for _, properties in ordered],
    }


def edge_columns(edges: list[Any]) -> dict[str, list[str]]:
    """Parallel arrays of the items' ends and types, in request order."""
    sources = [NodeRef.parse(edge.source) for edge in edges]
    targets = [NodeRef.parse(edge.target) for edge in edges]
    return {
        "source_types": [ref.type for ref in sources],
        "source_keys": [ref.key for ref in sources],
        "types": [edge.type for edge in edges],
        "target_types": [ref.type for ref in targets],
        "target_keys": [ref.key for ref in targets],
    }


def missing_ends(row: Any) -> list[dict[str, str]]:
    """One fault per missing end, by item, sources before targets within an item."""
    faults = [(position, "source") for position in row["missing_sources"]]
    faults += [(position, "target") for position in row["missing_targets"]]
    return [
        {"detail": "no such node in this workspace or this batch", "pointer": f"#/edges/{position - 1}/{end}"}
        for position, end in sorted(faults)
    ]


@operation(
    summary="Upsert nodes, then edges, then delete edges and nodes, all in one transaction",
    scope="write",
    body=Batch,
    responses={200: BatchResult},
)
async def post_batch(request: Request) -> Response:
    batch = await read_json(request, Batch)
    workspace_id = principal_of(request).workspace_id
    deletions = [NodeRef.parse(ref) for ref in batch.delete_nodes]

    async def write(db: Db) -> BatchResult:
        nodes = await sql.upsert_batch_nodes(db, workspace_id=workspace_id, **node_columns(batch))
        edges = await sql.upsert_batch_edges(
            db,
            workspace_id=workspace_id,
            properties=[compact_json(edge.properties) for edge in batch.edges],
            **edge_columns(batch.edges),
        )
        faults = missing_ends(edges)
        if faults:
            raise ValidationFailed(faults, detail="An edge names a node that does not exist; nothing was written.")
        edges_deleted = await sql.delete_batch_edges(db, workspace_id=workspace_id, **edge_columns(batch.delete_edges))
        nodes_deleted = await sql.delete_batch_nodes(
            db,
            workspace_id=workspace_id,
            types=[ref.type for ref in deletions],
            keys=[ref.key for ref in deletions],
        )
        return BatchResult(
            nodes=WriteCounts(created=nodes["created"], updated=nodes["updated"], deleted=nodes_deleted),
            edges=WriteCounts(created=edges["created"], updated=edges["updated"], deleted=edges_deleted),
        )

    return respond(await write_transaction(request, write))


routes = [route("/batch", POST=post_batch)]
