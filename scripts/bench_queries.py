"""scripts/bench queries: traverse and path through HTTP, next to a naive recursive CTE and networkx.

Builds a graph of 100,000 nodes and 1,000,000 edges with power-law out- and
in-degrees (so cycles everywhere) in a fresh database, serves it with
`skein serve` on loopback, and times, for 50 random starts each:
  - POST /v1/query/traverse at depth 2, 3 and 6 (limit 10,000), next to
    (a) the path-enumerating recursive CTE most projects write, on the same
        server with the same statement timeout, and
    (b) networkx breadth-first search on the same graph in memory, stopping
        as Skein does once more than `limit` nodes are known;
  - POST /v1/query/path between random pairs, next to networkx's shortest path.
Prints p50 and p95 in milliseconds. The server is DATABASE_URL's, else an
embedded PostgreSQL under .bench/ (see scripts/benchkit.py).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import time

import asyncpg
import httpx
import networkx as nx
from benchkit import bench_database, bench_sql, serve

from service.auth import issue_key
from service.db import SERVER_SETTINGS, init_connection
from service.repository import sql

NODE_TYPES = ["service", "database", "host", "job"]
EDGE_TYPES = ["calls", "depends_on", "runs_on"]
TIMEOUT_MS = 5000


def generate(nodes: int, edges: int, rng: random.Random) -> tuple[list[tuple[str, str]], list[tuple[int, str, int]]]:
    """Power-law out-degrees (Pareto) and preferential targets: hubs both ways, cycles everywhere."""
    node_list = [(NODE_TYPES[i % len(NODE_TYPES)], f"n{i:06d}") for i in range(nodes)]
    activity = list(itertools.accumulate(rng.paretovariate(1.3) for _ in range(nodes)))
    popularity = list(itertools.accumulate(rng.paretovariate(1.1) for _ in range(nodes)))
    chosen: set[tuple[int, str, int]] = set()
    while len(chosen) < edges:
        wanted = edges - len(chosen)
        sources = rng.choices(range(nodes), cum_weights=activity, k=wanted)
        targets = rng.choices(range(nodes), cum_weights=popularity, k=wanted)
        for source, target in zip(sources, targets, strict=True):
            chosen.add((source, EDGE_TYPES[(source + target) % len(EDGE_TYPES)], target))
    return node_list, sorted(chosen)


async def load(
    dsn: str, node_list: list[tuple[str, str]], edge_list: list[tuple[int, str, int]]
) -> tuple[str, list[int]]:
    conn = await asyncpg.connect(dsn)
    try:
        workspace = (await sql.create_workspace(conn, name="bench"))["id"]
        await conn.copy_records_to_table(
            "nodes", records=[(workspace, t, k) for t, k in node_list], columns=["workspace_id", "type", "key"]
        )
        ids = [row["id"] for row in await bench_sql.list_node_ids(conn)]
        await conn.copy_records_to_table(
            "edges",
            records=[(workspace, ids[s], t, ids[d]) for s, t, d in edge_list],
            columns=["workspace_id", "source_id", "type", "target_id"],
        )
        await bench_sql.vacuum_graph(conn)
        _, key = await issue_key(conn, workspace_id=workspace, name="bench", scopes=["read"])
    finally:
        await conn.close()
    return key, ids


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def nx_traverse(graph: nx.DiGraph, kinds: dict[int, tuple[str, str]], start: int, depth: int, limit: int) -> list:
    found: list[tuple[int, str, str, int]] = []
    for level, layer in enumerate(nx.bfs_layers(graph, [start])):
        if level > depth:
            break
        found += [(level, *kinds[node], node) for node in layer]
        if len(found) > limit:
            break
    return sorted(found)[:limit]


async def skein_sql(dsn: str, starts: list[str], depth: int, limit: int) -> list[float]:
    """Skein's traversal statement alone, on a connection set up as the pool's are."""
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS | {"statement_timeout": str(TIMEOUT_MS)})
    await init_connection(conn)
    workspace = await sql.find_workspace(conn, name="bench")
    times = []
    try:
        for start in starts:
            node_type, _, key = start.partition(":")
            began = time.perf_counter()
            await sql.traverse(
                conn,
                workspace_id=workspace,
                start_types=[node_type],
                start_keys=[key],
                max_depth=depth,
                outgoing=True,
                incoming=False,
                edge_types=None,
                node_types=None,
                limit=limit,
            )
            times.append((time.perf_counter() - began) * 1000)
    finally:
        await conn.close()
    return times


async def naive(dsn: str, starts: list[int], depth: int, limit: int) -> tuple[list[float], int]:
    conn = await asyncpg.connect(dsn, server_settings={"statement_timeout": str(TIMEOUT_MS)})
    times, timeouts = [], 0
    try:
        for start in starts:
            began = time.perf_counter()
            try:
                await bench_sql.naive_traverse(conn, start_id=start, max_depth=depth, limit=limit)
            except asyncpg.QueryCanceledError:
                timeouts += 1
            times.append((time.perf_counter() - began) * 1000)
    finally:
        await conn.close()
    return times, timeouts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="also print each core statement's plan")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"generating {args.nodes:,} nodes, {args.edges:,} edges ...", flush=True)
    node_list, edge_list = generate(args.nodes, args.edges, rng)
    with bench_database() as dsn:
        measure(dsn, args, rng, node_list, edge_list)


async def explain(dsn: str, start: str, ids: list[int]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each query's core statement on this graph, for the README."""
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)
    await init_connection(conn)
    workspace = await sql.find_workspace(conn, name="bench")
    start_type, _, start_key = start.partition(":")
    walk = {"outgoing": True, "incoming": False, "edge_types": None, "node_types": None}
    statements = [
        (
            "traverse, depth 3, limit 10,000",
            sql.traverse,
            {"workspace_id": workspace, "start_types": [start_type], "start_keys": [start_key], "max_depth": 3}
            | walk
            | {"limit": 10000},
        ),
        (
            "traverse, depth 6, limit 10,000",
            sql.traverse,
            {"workspace_id": workspace, "start_types": [start_type], "start_keys": [start_key], "max_depth": 6}
            | walk
            | {"limit": 10000},
        ),
        (
            "neighbors, both ways, first page",
            sql.neighbors,
            {"origin_id": ids[0], "after": None, "limit": 101} | walk | {"incoming": True},
        ),
        (
            "one level of a shortest path search",
            sql.expand_frontier,
            {"frontier": ids[:50], "always_allowed": ids[:2]} | walk,
        ),
        ("induced edges of 1,000 nodes", sql.induced_edges, {"node_ids": ids[:1000], "edge_types": None}),
    ]
    try:
        for title, query, params in statements:
            # The repository's own statement, prefixed: EXPLAIN takes the same parameters.
            plan = await conn.fetch(f"explain (analyze, buffers) {query.sql}", *query.bind(params))
            print(f"\n-- {title}: sql/queries/{query.path.name}")
            print("\n".join(row[0] for row in plan))
    finally:
        await conn.close()


def measure(
    dsn: str,
    args: argparse.Namespace,
    rng: random.Random,
    node_list: list[tuple[str, str]],
    edge_list: list[tuple[int, str, int]],
) -> None:
    began = time.perf_counter()
    key, ids = asyncio.run(load(dsn, node_list, edge_list))
    seconds = time.perf_counter() - began
    print(f"loaded {len(node_list):,} nodes and {len(edge_list):,} edges by COPY in {seconds:.1f} s", flush=True)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(node_list)))
    graph.add_edges_from((s, d) for s, _, d in edge_list)
    kinds = dict(enumerate(node_list))
    refs = [f"{t}:{k}" for t, k in node_list]
    starts = rng.sample(range(len(node_list)), args.samples)
    pairs = [(rng.randrange(len(node_list)), rng.randrange(len(node_list))) for _ in range(args.samples)]

    rows: list[tuple[str, str, float, float, str]] = []
    headers = {"Authorization": f"Bearer {key}"}
    served = serve(dsn, SKEIN_RATE_LIMIT="1000000", SKEIN_QUERY_TIMEOUT_MS=str(TIMEOUT_MS))
    with served as (url, _), httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for depth in (2, 3, 6):
            http, nxt = [], []
            for start in starts:
                began = time.perf_counter()
                body = {"start": refs[start], "depth": depth, "limit": 10000}
                response = client.post("/v1/query/traverse", json=body)
                http.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
                began = time.perf_counter()
                expected = nx_traverse(graph, kinds, start, depth, 10000)
                nxt.append((time.perf_counter() - began) * 1000)
                assert [n["ref"] for n in response.json()["nodes"]] == [refs[n[3]] for n in expected]
            naive_times, timeouts = asyncio.run(naive(dsn, [ids[s] for s in starts], depth, 10000))
            statement = asyncio.run(skein_sql(dsn, [refs[s] for s in starts], depth, 10000))
            rows.append((f"traverse depth {depth}", "Skein over HTTP", *percentiles(http), ""))
            rows.append(("", "Skein statement alone", *percentiles(statement), ""))
            note = f"{timeouts} of {len(starts)} timed out at {TIMEOUT_MS} ms"
            rows.append(("", "naive recursive CTE", *percentiles(naive_times), note))
            rows.append(("", "networkx BFS in memory", *percentiles(nxt), ""))
        http, nxt = [], []
        for source, target in pairs:
            began = time.perf_counter()
            response = client.post("/v1/query/path", json={"source": refs[source], "target": refs[target]})
            http.append((time.perf_counter() - began) * 1000)
            found = response.json()["path"]
            began = time.perf_counter()
            try:
                length = len(nx.shortest_path(graph, source, target)) - 1
            except nx.NetworkXNoPath:
                length = None
            nxt.append((time.perf_counter() - began) * 1000)
            assert (found and found["length"]) == (length if length is None or length <= 10 else None) or (
                found is None and length is None
            )
        rows.append(("path", "Skein over HTTP", *percentiles(http), ""))
        rows.append(("", "networkx shortest_path", *percentiles(nxt), ""))

    if args.explain:
        asyncio.run(explain(dsn, refs[starts[0]], ids))
    print(f"\n{'query':<18} {'engine':<24} {'p50 ms':>9} {'p95 ms':>9}  note")
    for query, engine, p50, p95, note in rows:
        print(f"{query:<18} {engine:<24} {p50:>9.1f} {p95:>9.1f}  {note}")


if __name__ == "__main__":
    main()
