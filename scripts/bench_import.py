"""Import benchmark: POST /v1/import of a generated graph next to a raw COPY of the same rows.

    .venv/bin/python scripts/bench_import.py [--nodes 100000] [--edges 1000000]

One run, one PostgreSQL server (DATABASE_URL, or an embedded one under
.bench/), one fresh database:

1. raw COPY: the nodes and the edges, already resolved to node ids, copied
   with asyncpg's binary COPY into empty tables made by Skein's own
   migrations in a schema of their own, so their indexes and constraints
   are Skein's;
2. import: the same graph as NDJSON, streamed to ``POST /v1/import`` of
   ``skein serve`` running in a subprocess on loopback, while the service's
   resident memory is sampled every 20 ms.

Prints a Markdown table; the import should reach at least 50% of the raw
COPY's edges per second and grow the service's memory by less than 100 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
from benchkit import BENCH_DIR, bench_database, bench_sql, new_workspace_key, print_table, rss_bytes, run_query, serve

from service.migrations import migrate
from service.repository import sql

EDGE_TYPES = ("calls", "reads", "owns")
# Made by scripts/sql/bench/create_raw_schema.sql.
RAW_SCHEMA = "bench_raw"
CHUNK_BYTES = 256 * 1024
MB = 1024 * 1024


def node_key(i: int) -> str:
    return f"node-{i:07d}"


def node_properties(i: int) -> dict[str, object]:
    return {"name": f"Node {i}", "rank": i % 100}


def generate_edges(nodes: int, edges: int, seed: int) -> list[tuple[int, int, int]]:
    """(source, type index, target) triples, distinct, in shuffled order.

    Each node's k-th edge goes ``offsets[k]`` nodes further on; distinct
    offsets make every triple distinct without a set of a million tuples.
    """
    rng = random.Random(seed)
    per_node = -(-edges // nodes)
    offsets = rng.sample(range(1, nodes), per_node)
    triples = [
        (i % nodes, (i // nodes) % len(EDGE_TYPES), (i % nodes + offsets[i // nodes]) % nodes) for i in range(edges)
    ]
    rng.shuffle(triples)
    return triples


def write_ndjson(path: Path, nodes: int, triples: list[tuple[int, int, int]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(nodes):
            line = {"node": {"type": "svc", "key": node_key(i), "properties": node_properties(i)}}
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
        for n, (source, edge_type, target) in enumerate(triples):
            edge = {
                "source": f"svc:{node_key(source)}",
                "type": EDGE_TYPES[edge_type],
                "target": f"svc:{node_key(target)}",
                "properties": {"weight": n % 10},
            }
            out.write(json.dumps({"edge": edge}, separators=(",", ":")) + "\n")


async def raw_copy(dsn: str, nodes: int, triples: list[tuple[int, int, int]]) -> float:
    """Seconds to COPY the nodes, then the resolved edges, into Skein's tables in a schema of their own."""
    await run_query(dsn, bench_sql.create_raw_schema)
    conn = await asyncpg.connect(dsn, server_settings={"search_path": RAW_SCHEMA})
    try:
        await migrate(conn)
        workspace_id = (await sql.create_workspace(conn, name="raw"))["id"]
        node_rows = [
            (i + 1, workspace_id, "svc", node_key(i), json.dumps(node_properties(i), separators=(",", ":")))
            for i in range(nodes)
        ]
        edge_rows = [
            (workspace_id, source + 1, EDGE_TYPES[edge_type], target + 1, json.dumps({"weight": n % 10}))
            for n, (source, edge_type, target) in enumerate(triples)
        ]
        await bench_sql.checkpoint(conn)
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "nodes", records=node_rows, columns=["id", "workspace_id", "type", "key", "properties"]
        )
        await conn.copy_records_to_table(
            "edges", records=edge_rows, columns=["workspace_id", "source_id", "type", "target_id", "properties"]
        )
        elapsed = time.perf_counter() - started
        assert await bench_sql.count_edges(conn) == len(triples)
        return elapsed
    finally:
        await conn.close()


class MemorySampler:
    """Peak resident memory of a process, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_bytes(self.pid))

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk


def post_import(base_url: str, key: str, path: Path) -> dict[str, object]:
    response = httpx.post(
        f"{base_url}/v1/import",
        content=file_chunks(path),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"},
        timeout=None,
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    BENCH_DIR.mkdir(exist_ok=True)
    triples = generate_edges(args.nodes, args.edges, args.seed)
    data = BENCH_DIR / f"graph-{args.nodes}-{args.edges}-{args.seed}.ndjson"
    if not data.exists():
        write_ndjson(data, args.nodes, triples)
    warm_up = BENCH_DIR / "warm-up.ndjson"
    write_ndjson(warm_up, 500, generate_edges(500, 500, args.seed))

    with bench_database() as dsn:
        raw_seconds = asyncio.run(raw_copy(dsn, args.nodes, triples))
        with serve(dsn) as (base_url, pid):
            post_import(base_url, asyncio.run(new_workspace_key(dsn)), warm_up)
            key = asyncio.run(new_workspace_key(dsn))
            asyncio.run(run_query(dsn, bench_sql.checkpoint))
            before = rss_bytes(pid)
            with MemorySampler(pid) as memory:
                started = time.perf_counter()
                result = post_import(base_url, key, data)
                import_seconds = time.perf_counter() - started
    expected = {"nodes": {"created": args.nodes, "updated": 0}, "edges": {"created": args.edges, "updated": 0}}
    assert result == expected, result

    raw_rate = args.edges / raw_seconds
    import_rate = args.edges / import_seconds
    print(f"{args.nodes:,} nodes and {args.edges:,} edges ({data.stat().st_size / MB:,.0f} MB of NDJSON)")
    print_table(
        ["load", "seconds", "edges/s", "vs raw COPY"],
        [
            ["raw COPY, edges resolved to ids", f"{raw_seconds:.1f}", f"{raw_rate:,.0f}", "100%"],
            [
                "POST /v1/import (skein serve)",
                f"{import_seconds:.1f}",
                f"{import_rate:,.0f}",
                f"{import_rate / raw_rate:.0%}",
            ],
        ],
    )
    print()
    print_table(
        ["service memory (RSS)", "MB"],
        [
            ["before the import", f"{before / MB:.0f}"],
            ["peak during the import", f"{memory.peak / MB:.0f}"],
            ["growth", f"{(memory.peak - before) / MB:.0f}"],
        ],
    )


if __name__ == "__main__":
    main()
