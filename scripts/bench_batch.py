"""Batch benchmark: one POST /v1/batch of 10,000 items, next to the same rows through POST /v1/import.

    .venv/bin/python scripts/bench_batch.py [--repeat 5]

One run, one PostgreSQL server (DATABASE_URL, or an embedded one under
.bench/), one fresh database, ``skein serve`` in a subprocess on loopback.
The items are 2,000 nodes and 8,000 edges between them (each node's edges
to four others). Each load goes into a fresh workspace ("new": every row
created), then again into the same one ("existing": every row updated);
the table shows the median of --repeat runs of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import httpx
from benchkit import bench_database, new_workspace_key, print_table, serve

NODES = 2_000
EDGES_PER_NODE = 4
ITEMS = NODES * (1 + EDGES_PER_NODE)


def batch_body() -> dict[str, Any]:
    keys = [f"node-{i:05d}" for i in range(NODES)]
    return {
        "nodes": [{"type": "svc", "key": key, "properties": {"rank": i % 10}} for i, key in enumerate(keys)],
        "edges": [
            {
                "source": f"svc:{keys[i]}",
                "type": "calls",
                "target": f"svc:{keys[(i + step * 37) % NODES]}",
                "properties": {"weight": step},
            }
            for i in range(NODES)
            for step in range(1, EDGES_PER_NODE + 1)
        ],
    }


def ndjson_of(body: dict[str, Any]) -> bytes:
    lines = [{"node": node} for node in body["nodes"]] + [{"edge": edge} for edge in body["edges"]]
    return "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()


def timed_post(http: httpx.Client, path: str, content: bytes, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = http.post(path, content=content, headers=headers)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    body = batch_body()
    batch_bytes = json.dumps(body, separators=(",", ":")).encode()
    ndjson = ndjson_of(body)
    times: dict[tuple[str, str], list[float]] = {}
    with bench_database() as dsn, serve(dsn) as (base_url, _), httpx.Client(base_url=base_url, timeout=None) as http:
        loads = {
            "POST /v1/batch": ("application/json", batch_bytes),
            "POST /v1/import": ("application/x-ndjson", ndjson),
        }
        for _ in range(args.repeat):
            for name, (content_type, content) in loads.items():
                path = name.split()[1]
                key = asyncio.run(new_workspace_key(dsn))
                headers = {"Authorization": f"Bearer {key}", "Content-Type": content_type}
                for state in ("new", "existing"):
                    times.setdefault((name, state), []).append(timed_post(http, path, content, headers))

    print(f"{ITEMS:,} items ({NODES:,} nodes, {NODES * EDGES_PER_NODE:,} edges); median of {args.repeat} runs")
    rows = []
    for (name, state), samples in times.items():
        median = statistics.median(samples)
        rows.append([name, state, f"{median * 1000:,.0f}", f"{ITEMS / median:,.0f}"])
    print_table(["load", "rows", "ms", "items/s"], rows)
    print(f"\nbodies: batch {len(batch_bytes) / 1024:,.0f} KiB of JSON, import {len(ndjson) / 1024:,.0f} KiB of NDJSON")


if __name__ == "__main__":
    main()
