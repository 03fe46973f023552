"""scripts/bench queries: traverse and path through HTTP, next to a naive recursive CTE and networkx.

Builds a graph of 100,000 nodes and 1,000,000 edges with power-law out- and
in-degrees (so cycles everywhere) in a fresh database, serves it with
`skein serve` on loopback, and times, for 50 random starts each:
  - POST /v1/query/traverse at depth 0, 1, 2, 3 and 6 (limit 10,000), next to
    (a) the path-enumerating recursive CTE most projects write, from the
        same start ref, with the same timeout: served over HTTP by the same
        app, pool and request path (scripts/naive_service.py, rendering its
        rows through the response models), and as a statement alone on the
        same PostgreSQL server, next to Skein's statement alone;
    (b) networkx breadth-first search on the same graph in memory, stopping
        as Skein does once more than `limit` nodes are known;
    all five on each start back to back, in a shuffled order;
  - POST /v1/query/path between random pairs, next to networkx's shortest path.
Prints p50 and p95 in milliseconds, and the ratios of p50s the issue's
targets are about. The server is DATABASE_URL's, else an embedded PostgreSQL
under .bench/ (see scripts/benchkit.py).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import networkx as nx
from benchkit import ROOT, bench_database, bench_sql, serve

from service.auth import issue_key
from service.db import SERVER_SETTINGS, init_connection
from service.refs import ref_of, split_ref
from service.repository import sql

# The baseline app, served by a Python of its own as skein serve is.
NAIVE_SERVICE = str(Path(__file__).resolve().parent / "naive_service.py")
NODE_TYPES = ["service", "database", "host", "job"]
EDGE_TYPES = ["calls", "depends_on", "runs_on"]
TIMEOUT_MS = 5000
LIMIT = 10_000


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


def traverse_params(workspace: int, ref: str, depth: int) -> dict[str, Any]:
    """sql.traverse's parameters for the benchmark's request: one start, outgoing, no filters, no edges."""
    node_type, key = split_ref(ref)
    return {
        "workspace_id": workspace,
        "start_types": [node_type],
        "start_keys": [key],
        "max_depth": depth,
        "outgoing": True,
        "incoming": False,
        "edge_types": None,
        "node_types": None,
        "limit": LIMIT,
        "with_ids": False,
    }


def first_edges_page(workspace: int) -> dict[str, Any]:
    """sql.list_edges's parameters for the first page of a workspace's edges, as the route asks for it."""
    positions = ["after_source_type", "after_source_key", "after_type", "after_target_type", "after_target_key"]
    return {"workspace_id": workspace, "type": None, "limit": 101, **dict.fromkeys(positions, "")}


def naive_params(workspace: int, ref: str, depth: int) -> dict[str, Any]:
    """The baseline's parameters for the same request."""
    node_type, key = split_ref(ref)
    return {"workspace_id": workspace, "start_type": node_type, "start_key": key, "max_depth": depth, "limit": LIMIT}


ENGINES = ("http", "naive_http", "statement", "naive", "networkx")


class Engines:
    """The five ways of answering one traversal, each timed in milliseconds.

    Each answers its time and the refs it found in order, or None for those
    when it ran out of time. Both statements run on connections set up as
    the pool's are (generic plans, work_mem, JSON codecs), with the service's
    statement timeout; both servers are started with the same timeout.
    """

    def __init__(
        self,
        clients: tuple[httpx.Client, httpx.Client],
        conn: asyncpg.Connection,
        workspace: int,
        graph: nx.DiGraph,
        node_list: list[tuple[str, str]],
    ) -> None:
        self.client, self.naive_client = clients
        self.conn, self.workspace = conn, workspace
        self.graph, self.kinds = graph, dict(enumerate(node_list))
        self.refs = [ref_of(*kind) for kind in node_list]
        self.timeouts: dict[str, int] = {}
        # The last answers over HTTP, whole, to check that both serve the same.
        self.answers: dict[str, dict[str, Any] | None] = {}

    def reset(self) -> None:
        self.timeouts = {"naive_http": 0, "naive": 0}
        self.answers = {}

    async def run(self, engine: str, start: int, depth: int) -> tuple[float, list[str] | None]:
        """``engine`` (one of ENGINES) on node ``start``: its time and the refs it found."""
        if engine == "http":
            return self._post(self.client, "/v1/query/traverse", engine, start, depth)
        if engine == "naive_http":
            return self._post(self.naive_client, "/v1/query/naive-traverse", engine, start, depth)
        if engine == "statement":
            return await self.statement(start, depth)
        if engine == "naive":
            return await self.naive(start, depth)
        return self.networkx(start, depth)

    def _post(
        self, client: httpx.Client, path: str, engine: str, start: int, depth: int
    ) -> tuple[float, list[str] | None]:
        began = time.perf_counter()
        response = client.post(path, json={"start": self.refs[start], "depth": depth, "limit": LIMIT})
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code == 422 and response.json()["type"] == "/problems/query-timeout":
            self.timeouts[engine] += 1
            self.answers[engine] = None
            return elapsed, None
        response.raise_for_status()
        self.answers[engine] = response.json()
        return elapsed, [node["ref"] for node in self.answers[engine]["nodes"]]

    async def statement(self, start: int, depth: int) -> tuple[float, list[str] | None]:
        began = time.perf_counter()
        found = await sql.traverse(self.conn, **traverse_params(self.workspace, self.refs[start], depth))
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, [node["ref"] for node in json.loads(found["nodes_json"])]

    async def naive(self, start: int, depth: int) -> tuple[float, list[str] | None]:
        began = time.perf_counter()
        try:
            rows = await bench_sql.naive_traverse(self.conn, **naive_params(self.workspace, self.refs[start], depth))
        except asyncpg.QueryCanceledError:
            self.timeouts["naive"] += 1
            return (time.perf_counter() - began) * 1000, None
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, [ref_of(row["type"], row["key"]) for row in rows[:LIMIT]]

    def networkx(self, start: int, depth: int) -> tuple[float, list[str] | None]:
        began = time.perf_counter()
        expected = nx_traverse(self.graph, self.kinds, start, depth, LIMIT)
        elapsed = (time.perf_counter() - began) * 1000
        return elapsed, [ref_of(node_type, key) for _, node_type, key, _ in expected]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--depths", type=int, nargs="+", default=[0, 1, 2, 3, 6], help="traversal depths to time")
    parser.add_argument("--explain", action="store_true", help="also print each core statement's plan")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"generating {args.nodes:,} nodes, {args.edges:,} edges ...", flush=True)
    node_list, edge_list = generate(args.nodes, args.edges, rng)
    with bench_database() as dsn:
        measure(dsn, args, rng, node_list, edge_list)


async def explain(dsn: str, start: str, ids: list[int]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each query's core statement on this graph, for the README.

    Generic plans, as the pool's connections run them (see Query.explain).
    """
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)
    await init_connection(conn)
    workspace = await sql.find_workspace(conn, name="bench")
    walk = {"outgoing": True, "incoming": False, "edge_types": None, "node_types": None}
    statements = [
        ("traverse, depth 3, limit 10,000", sql.traverse, traverse_params(workspace, start, 3)),
        ("traverse, depth 6, limit 10,000", sql.traverse, traverse_params(workspace, start, 6)),
        (
            "traverse, depth 3, limit 10,000, node_types of three types",
            sql.traverse,
            traverse_params(workspace, start, 3) | {"node_types": NODE_TYPES[:3]},
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
        ("GET /v1/edges, first page of 100", sql.list_edges, first_edges_page(workspace)),
        (
            "the benchmark's baseline, the naive CTE, depth 3, limit 10,000",
            bench_sql.naive_traverse,
            naive_params(workspace, start, 3),
        ),
    ]
    try:
        for title, query, params in statements:
            plan = await query.explain(conn, params, analyze=True)
            print(f"\n-- {title}: {query.path.resolve().relative_to(ROOT)}")
            print("\n".join(plan))
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
    starts = rng.sample(range(len(node_list)), args.samples)
    pairs = [(rng.randrange(len(node_list)), rng.randrange(len(node_list))) for _ in range(args.samples)]
    environment = {"SKEIN_RATE_LIMIT": "1000000", "SKEIN_QUERY_TIMEOUT_MS": str(TIMEOUT_MS)}
    headers = {"Authorization": f"Bearer {key}"}
    with (
        serve(dsn, **environment) as (url, _),
        serve(dsn, program=[NAIVE_SERVICE], **environment) as (naive_url, _),
        httpx.Client(base_url=url, headers=headers, timeout=60) as client,
        httpx.Client(base_url=naive_url, headers=headers, timeout=60) as naive_client,
    ):
        clients = (client, naive_client)
        rows = asyncio.run(compare(dsn, clients, graph, node_list, starts, pairs, rng, args.depths))
    if args.explain:
        asyncio.run(explain(dsn, ref_of(*node_list[starts[0]]), ids))
    print(f"\n{'query':<18} {'engine':<24} {'p50 ms':>9} {'p95 ms':>9}  note")
    for query, engine, p50, p95, note in rows:
        print(f"{query:<18} {engine:<24} {p50:>9.2f} {p95:>9.2f}  {note}")


async def compare(
    dsn: str,
    clients: tuple[httpx.Client, httpx.Client],
    graph: nx.DiGraph,
    node_list: list[tuple[str, str]],
    starts: list[int],
    pairs: list[tuple[int, int]],
    rng: random.Random,
    depths: list[int],
) -> list[tuple[str, str, float, float, str]]:
    """Every engine on the same start, one after another in a shuffled order.

    The machine is shared and noisy: side by side, a slow moment costs every
    engine alike instead of whichever phase it fell in. The HTTP client is
    synchronous; nothing else runs on this event loop while it waits.
    """
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS | {"statement_timeout": str(TIMEOUT_MS)})
    rows: list[tuple[str, str, float, float, str]] = []
    try:
        await init_connection(conn)
        workspace = await sql.find_workspace(conn, name="bench")
        engines = Engines(clients, conn, workspace, graph, node_list)
        for depth in depths:
            times: dict[str, list[float]] = {name: [] for name in ENGINES}
            engines.reset()
            for start in starts:
                order = list(ENGINES)
                rng.shuffle(order)
                found: dict[str, list[str] | None] = {}
                for engine in order:
                    elapsed, found[engine] = await engines.run(engine, start, depth)
                    times[engine].append(elapsed)
                # Every engine that finished found the same nodes in the same order.
                assert all(answer == found["networkx"] for answer in found.values() if answer is not None)
                assert engines.answers["naive_http"] in (None, engines.answers["http"])
            rows += depth_rows(depth, times, engines.timeouts, len(starts))
        rows += path_rows(clients[0], graph, engines.refs, pairs, rng)
    finally:
        await conn.close()
    return rows


def depth_rows(
    depth: int, times: dict[str, list[float]], timeouts: dict[str, int], samples: int
) -> list[tuple[str, str, float, float, str]]:
    p50 = {engine: percentiles(timed)[0] for engine, timed in times.items()}

    def timed_out(engine: str) -> str:
        return f"{timeouts[engine]} of {samples} timed out at {TIMEOUT_MS} ms"

    return [
        (f"traverse depth {depth}", "Skein over HTTP", *percentiles(times["http"]),
         f"naive p50 / this {p50['naive_http'] / p50['http']:.2f}; networkx p50 x {p50['http'] / p50['networkx']:.2f}"),
        ("", "naive CTE over HTTP", *percentiles(times["naive_http"]), timed_out("naive_http")),
        ("", "Skein statement alone", *percentiles(times["statement"]),
         f"naive p50 / this {p50['naive'] / p50['statement']:.2f}"),
        ("", "naive CTE statement", *percentiles(times["naive"]), timed_out("naive")),
        ("", "networkx BFS in memory", *percentiles(times["networkx"]), ""),
    ]  # fmt: skip


def path_rows(
    client: httpx.Client, graph: nx.DiGraph, refs: list[str], pairs: list[tuple[int, int]], rng: random.Random
) -> list[tuple[str, str, float, float, str]]:
    http, nxt = [], []
    for source, target in pairs:
        order = ["http", "networkx"]
        rng.shuffle(order)
        for engine in order:
            began = time.perf_counter()
            if engine == "http":
                response = client.post("/v1/query/path", json={"source": refs[source], "target": refs[target]})
                http.append((time.perf_counter() - began) * 1000)
                found = response.json()["path"]
            else:
                try:
                    length = len(nx.shortest_path(graph, source, target)) - 1
                except nx.NetworkXNoPath:
                    length = None
                nxt.append((time.perf_counter() - began) * 1000)
        # Skein searches up to SKEIN_MAX_DEPTH (10) hops; networkx has no bound.
        assert (found and found["length"]) == (length if length is not None and length <= 10 else None)
    ratio = percentiles(http)[0] / percentiles(nxt)[0]
    return [
        ("path", "Skein over HTTP", *percentiles(http), f"networkx p50 x {ratio:.2f}"),
        ("", "networkx shortest_path", *percentiles(nxt), ""),
    ]


if __name__ == "__main__":
    main()
