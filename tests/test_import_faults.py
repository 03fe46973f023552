"""An import is all or nothing, even when its worker dies or its client goes away mid-stream.

A real ``skein serve`` receives a large NDJSON body, slowly, from a
generator. Once its transaction has merged a first batch, the test either
SIGKILLs the server or drops the connection; PostgreSQL then rolls the
transaction back, and the workspace holds none of the import.
"""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from service.imports import BATCH_LINES
from tests.conftest import KeyFactory, bearer
from tests.helpers import test_sql
from tests.serving import Server, skein_serve

pytestmark = pytest.mark.slow

CHUNK_LINES = 1_000
# Past the first batch, so the transaction has written when the fault lands.
LINES_BEFORE_FAULT = BATCH_LINES + 5 * CHUNK_LINES
TOTAL_LINES = 10 * BATCH_LINES


def chunk(start: int) -> bytes:
    lines = []
    for i in range(start, start + CHUNK_LINES):
        lines.append({"node": {"type": "n", "key": str(i), "properties": {"i": i}}})
        if i:
            lines.append({"edge": {"source": f"n:{i - 1}", "type": "next", "target": f"n:{i}"}})
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


async def writing_transactions(app: Starlette, database: str) -> int:
    async with app.state.pool.acquire() as conn:
        count: int = await test_sql.count_writing_transactions(conn, database=database)
    return count


async def has_written(app: Starlette, database: str, workspace: int) -> bool:
    """The import has written rows: in its open transaction, or (were it not atomic) visibly."""
    async with app.state.pool.acquire() as conn:
        if await test_sql.count_writing_transactions(conn, database=database):
            return True
        return bool(await test_sql.count_workspace_rows(conn, workspace_id=workspace))


async def import_then_fault(
    app: Starlette, database: str, workspace: int, server: Server, key: str, fault: str
) -> None:
    """Stream an import; at LINES_BEFORE_FAULT, once the server has written, kill it or hang up."""
    faulted = anyio.Event()

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, TOTAL_LINES, CHUNK_LINES):
            if start == LINES_BEFORE_FAULT:
                with anyio.fail_after(30):
                    while not await has_written(app, database, workspace):
                        await anyio.sleep(0.05)
                faulted.set()
                if fault == "disconnect":
                    # Hold the stream open until the client hangs up.
                    await anyio.sleep_forever()
                server.process.send_signal(signal.SIGKILL)
                server.process.wait()
            # After a kill, the next chunks find the connection gone.
            yield chunk(start)

    headers = {**bearer(key), "Content-Type": "application/x-ndjson"}
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client, anyio.create_task_group() as group:

        async def send() -> None:
            if fault == "kill":
                with pytest.raises(httpx.TransportError):
                    await client.post("/v1/import", content=body(), headers=headers)
            else:
                await client.post("/v1/import", content=body(), headers=headers)

        group.start_soon(send)
        await faulted.wait()
        if fault == "disconnect":
            group.cancel_scope.cancel()


@pytest.mark.parametrize("fault", ["kill", "disconnect"])
async def test_an_import_cut_off_by_a_killed_server_or_a_lost_client_leaves_nothing(
    app: Starlette, make_key: KeyFactory, workspace: int, database_url: str, tmp_path: Path, fault: str
) -> None:
    database = urlsplit(database_url).path.lstrip("/")
    key = await make_key(["write"])
    with skein_serve(database_url, tmp_path / "serve.log") as server:
        await import_then_fault(app, database, workspace, server, key, fault)
        with anyio.fail_after(30):
            # PostgreSQL notices the dead connection and rolls back.
            while await writing_transactions(app, database):
                await anyio.sleep(0.05)
        if fault == "kill":
            assert server.process.wait(timeout=10) == -signal.SIGKILL
    async with app.state.pool.acquire() as conn:
        assert await test_sql.count_workspace_rows(conn, workspace_id=workspace) == 0
