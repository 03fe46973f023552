"""What the benchmarks share: a fresh database, ``skein serve`` on loopback, keys, memory, tables.

Not a benchmark itself (``scripts/bench`` runs ``bench_<name>.py``). The
database is on the server named by ``DATABASE_URL``, or else on an embedded
PostgreSQL kept under ``.bench/``; each run makes its own database there
and drops it at the end: one run at a time per server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from service.auth import SCOPES, issue_key
from service.migrations import migrate_database
from service.repository import sql
from service.sqlfiles import Queries, Query

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".bench"
BENCH_DATABASE = "skein_bench"

# Statements only the benchmarks need, from scripts/sql/bench/.
bench_sql = Queries.load(Path(__file__).resolve().parent / "sql")


@contextlib.contextmanager
def _server_dsn() -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    from service.embedded import embedded_postgres

    with embedded_postgres(BENCH_DIR / "postgres") as dsn:
        yield dsn


async def run_query(dsn: str, query: Query, **params: Any) -> Any:
    """One statement on a connection of its own."""
    conn = await asyncpg.connect(dsn)
    try:
        return await query(conn, **params)
    finally:
        await conn.close()


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A fresh, migrated database for one run, dropped afterwards."""
    with _server_dsn() as server:
        asyncio.run(run_query(server, bench_sql.drop_bench_database))
        asyncio.run(run_query(server, bench_sql.create_bench_database))
        dsn = urlunsplit(urlsplit(server)._replace(path=f"/{BENCH_DATABASE}"))
        try:
            asyncio.run(migrate_database(dsn))
            yield dsn
        finally:
            asyncio.run(run_query(server, bench_sql.drop_bench_database))


async def new_workspace_key(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        workspace = await sql.create_workspace(conn, name=f"bench-{uuid.uuid4().hex}")
        _, key = await issue_key(
            conn, workspace_id=workspace["id"], name="bench", scopes=list(SCOPES), rate_limit_per_minute=1_000_000
        )
    finally:
        await conn.close()
    return key


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


SKEIN_SERVE = ("-m", "service", "serve")


@contextlib.contextmanager
def serve(dsn: str, program: Sequence[str] = SKEIN_SERVE, **environment: str) -> Iterator[tuple[str, int]]:
    """``skein serve`` in a subprocess on loopback, its log in .bench/serve.log; yields its URL and process id.

    ``program`` is what Python runs instead, given the same ``--host`` and
    ``--port`` (a bench-only app); its log is named after its last word.
    """
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": dsn, **environment}
    log = BENCH_DIR / f"{Path(program[-1]).stem}.log"
    BENCH_DIR.mkdir(exist_ok=True)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, *program, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{' '.join(program)} did not start; see {log}")
            time.sleep(0.1)
        yield base_url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Markdown table, ready for the README."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(headers[i]), *(len(row[i]) for row in cells)) for i in range(len(headers))]
    print("| " + " | ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for row in cells:
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
