"""Soak: a mixed read, write and query load against `skein serve`, bounded in time.

    scripts/soak [--seconds 60] [--concurrency 8] [--database-url URL]

Seeds a workspace with a graph, then runs --concurrency clients for
--seconds, each picking at random: PUT a node, PUT an edge, a small batch,
GET a node, neighbours, a traversal, a shortest path. Every request names
nodes that exist, so every answer must be 2xx. Reports throughput, p50 and
p99 per kind, the error count and the server's resident memory after a
warm-up and at the end. Exits 1 when a request failed or memory grew by 10%
or more. The server is on --database-url (an existing, migrated database;
the soak makes its own workspace there), else on a fresh database of
DATABASE_URL's server or an embedded one (scripts/benchkit.py).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from benchkit import bench_database, new_workspace_key, print_table, rss_bytes, serve

NODES = 2_000
SEED_EDGES = 6_000
WARM_UP_SECONDS = 3.0
MAX_MEMORY_GROWTH = 0.10

Operation = Callable[[httpx.AsyncClient, random.Random], Awaitable[httpx.Response]]


def ref(n: int) -> str:
    return f"svc:n{n:05d}"


async def put_node(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    return await client.put(f"/v1/nodes/svc/n{rng.randrange(NODES):05d}", json={"properties": {"v": rng.random()}})


async def put_edge(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    edge = {"source": ref(rng.randrange(NODES)), "type": "calls", "target": ref(rng.randrange(NODES))}
    return await client.put("/v1/edges", json=edge)


async def batch(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    picked = rng.sample(range(NODES), 10)
    body = {
        "nodes": [{"type": "svc", "key": f"n{n:05d}", "properties": {"batch": True}} for n in picked],
        "edges": [{"source": ref(a), "type": "depends_on", "target": ref(b)} for a, b in itertools.pairwise(picked)],
    }
    return await client.post("/v1/batch", json=body)


async def get_node(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    return await client.get(f"/v1/nodes/svc/n{rng.randrange(NODES):05d}")


async def neighbors(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    return await client.post("/v1/query/neighbors", json={"node": ref(rng.randrange(NODES)), "direction": "both"})


async def traverse(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    return await client.post("/v1/query/traverse", json={"start": ref(rng.randrange(NODES)), "depth": 2})


async def path(client: httpx.AsyncClient, rng: random.Random) -> httpx.Response:
    body = {"source": ref(rng.randrange(NODES)), "target": ref(rng.randrange(NODES)), "max_depth": 4}
    return await client.post("/v1/query/path", json=body)


OPERATIONS: dict[str, Operation] = {
    "PUT node": put_node,
    "PUT edge": put_edge,
    "POST batch": batch,
    "GET node": get_node,
    "neighbors": neighbors,
    "traverse": traverse,
    "path": path,
}


async def seed(client: httpx.AsyncClient, rng: random.Random) -> None:
    body = {
        "nodes": [{"type": "svc", "key": f"n{n:05d}"} for n in range(NODES)],
        "edges": [
            {"source": ref(rng.randrange(NODES)), "type": "calls", "target": ref(rng.randrange(NODES))}
            for _ in range(SEED_EDGES)
        ],
    }
    (await client.post("/v1/batch", json=body)).raise_for_status()


async def load(
    url: str, key: str, seconds: float, concurrency: int, seed_value: int
) -> tuple[dict[str, list[float]], list[str]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        deadline = time.monotonic() + seconds

        async def worker(number: int) -> None:
            rng = random.Random(seed_value * 1000 + number)
            names = list(OPERATIONS)
            while time.monotonic() < deadline:
                name = rng.choice(names)
                started = time.perf_counter()
                try:
                    response = await OPERATIONS[name](client, rng)
                    failed = None if response.is_success else f"{name}: {response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    failed = f"{name}: {type(exc).__name__} {exc}"
                latencies[name].append((time.perf_counter() - started) * 1000)
                if failed:
                    errors.append(failed)

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return latencies, errors


def summary(name: str, samples: list[float], elapsed: float) -> list[Any]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return [name, len(ordered), f"{len(ordered) / elapsed:.0f}", f"{statistics.median(ordered):.1f}", f"{p99:.1f}"]


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
    else:
        with bench_database() as dsn:
            yield dsn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="an existing, migrated database to serve")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with database(args.database_url) as dsn, serve(dsn) as (url, pid):
        key = asyncio.run(new_workspace_key(dsn))

        async def prepare() -> None:
            async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:
                await seed(client, rng)

        asyncio.run(prepare())
        asyncio.run(load(url, key, WARM_UP_SECONDS, args.concurrency, args.seed))
        rss_start = rss_bytes(pid)
        started = time.monotonic()
        latencies, errors = asyncio.run(load(url, key, args.seconds, args.concurrency, args.seed + 1))
        elapsed = time.monotonic() - started
        rss_end = rss_bytes(pid)

    everything = [sample for samples in latencies.values() for sample in samples]
    rows = [summary(name, samples, elapsed) for name, samples in sorted(latencies.items())]
    rows.append(summary("all", everything, elapsed))
    print_table(["requests", "count", "per second", "p50 ms", "p99 ms"], rows)
    growth = (rss_end - rss_start) / rss_start
    print(f"\nerrors: {len(errors)}")
    start_mib, end_mib = rss_start / 2**20, rss_end / 2**20
    print(f"server RSS: {start_mib:.1f} MiB after warm-up, {end_mib:.1f} MiB at the end ({growth:+.1%})")
    for error in errors[:10]:
        print(f"  {error}", file=sys.stderr)
    return 0 if not errors and growth < MAX_MEMORY_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())
