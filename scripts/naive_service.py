"""The baseline of ``scripts/bench queries``: the naive recursive CTE served the way most projects serve a query.

Skein's app plus one route, ``POST /v1/query/naive-traverse``, inside the same
``/v1`` mount: the same authentication and rate limit, the same body model
and validation, a connection from the same pool under the same time budget.
Only the answer is made differently: the path-enumerating CTE of
``scripts/sql/bench/naive_traverse.sql``, its rows rendered through the
response models, as Skein's other routes render theirs. Its answers are the
same as ``/v1/query/traverse``'s, and the benchmark checks that they are.

It walks outgoing edges of every type from one start, which is what the
benchmark asks; anything else is refused with a 400. Nothing here belongs in
the service:

    python scripts/naive_service.py --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import argparse

from benchkit import bench_sql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from service.app import create_app_from_env as create_skein_app
from service.auth import principal_of
from service.bodies import read_json
from service.cli import run_uvicorn
from service.db import connect
from service.errors import NotFound, ValidationFailed
from service.query_models import Traversal, TraversedNode, TraverseQuery
from service.refs import ref_of, split_ref
from service.routing import operation, respond, route


@operation(
    summary="The naive recursive CTE's answer to a traversal, for the benchmark only",
    scope="read",
    body=TraverseQuery,
    responses={200: Traversal},
    problems=(404,),
)
async def naive_traverse(request: Request) -> Response:
    query = await read_json(request, TraverseQuery, {"max_depth": request.app.state.settings.max_depth})
    filtered = query.edge_types is not None or query.node_types is not None
    if not isinstance(query.start, str) or query.direction != "out" or filtered:
        raise ValidationFailed([{"detail": "the baseline walks outgoing edges of every type from one start"}])
    if query.include_edges:
        raise ValidationFailed([{"detail": "the baseline returns no edges", "pointer": "#/include_edges"}])
    start_type, start_key = split_ref(query.start)
    async with connect(request) as db:
        rows = await bench_sql.naive_traverse(
            db,
            workspace_id=principal_of(request).workspace_id,
            start_type=start_type,
            start_key=start_key,
            max_depth=query.depth,
            limit=query.limit,
        )
    if not rows:
        raise NotFound(f"No node {query.start!r} in this workspace.")
    nodes = [
        TraversedNode(
            type=row["type"],
            key=row["key"],
            ref=ref_of(row["type"], row["key"]),
            properties=row["properties"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            depth=row["depth"],
        )
        for row in rows[: query.limit]
    ]
    return respond(Traversal(nodes=nodes, edges=[], truncated=len(rows) > query.limit))


def create_app_from_env() -> Starlette:
    """Skein's app with the baseline route beside the others, inside the ``/v1`` mount and its middleware."""
    app = create_skein_app()
    for mounted in app.router.routes:
        if isinstance(mounted, Mount) and mounted.path == "/v1":
            # The mount's router list itself: its middleware wraps the new route too.
            mounted.routes.append(route("/query/naive-traverse", POST=naive_traverse))
            return app
    raise RuntimeError("Skein's app has no /v1 mount to add the baseline route to")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    run_uvicorn("naive_service:create_app_from_env", host=args.host, port=args.port)


if __name__ == "__main__":
    main()
