"""No API key or secret leaks: not into the server's logs, not into /metrics, not into the database.

Keys are made, used, revoked and guessed at against a real ``skein serve``,
every way a client might send one (the header, a query string, a body, a
path); then every place the service writes is searched for each full
key and each secret part. Only ``api_keys.secret_hash`` may hold a trace of a
secret, and it is left out of the search.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from tests.conftest import KeyFactory, bearer
from tests.helpers import test_sql
from tests.serving import Server

pytestmark = pytest.mark.slow


def secret_of(key: str) -> str:
    # skn_<public id>_<secret>; the secret may itself hold "_".
    return key.split("_", 2)[2]


async def test_no_key_or_secret_reaches_logs_metrics_or_the_database(
    app: Starlette, server: Server, make_key: KeyFactory
) -> None:
    admin = await make_key(["read", "write", "admin"])
    sent: list[str] = [admin]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        created = []
        for scopes in (["read"], ["read", "write"]):
            response = await client.post("/v1/api-keys", json={"name": "leak", "scopes": scopes}, headers=bearer(admin))
            assert response.status_code == 201, response.text
            created.append(response.json())
        reader, writer = (item["key"] for item in created)
        sent += [reader, writer]
        guessed = f"{created[0]['prefix']}_{secrets.token_urlsafe(32)}"
        unknown = f"skn_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
        sent += [guessed, unknown]

        assert (await client.get("/v1/nodes", headers=bearer(reader))).status_code == 200
        put = await client.put("/v1/nodes/t/k", json={"properties": {"note": "x"}}, headers=bearer(writer))
        assert put.status_code == 201
        assert (await client.get("/v1/api-keys", headers=bearer(admin))).status_code == 200
        for wrong in (guessed, unknown, "skn_garbage", writer[:-3]):
            assert (await client.get("/v1/nodes", headers=bearer(wrong))).status_code == 401
        # Keys sent where they do not belong: a query string, a body, a path. (Not X-Request-ID:
        # the contract has Skein echo and log the client's own label, whatever it holds.)
        await client.get(f"/v1/nodes?key={quote(writer)}", headers=bearer(reader))
        await client.put("/v1/nodes/t/k", content=f'{{"token": "{writer}"}}', headers=bearer(writer))
        await client.get(f"/v1/nodes/t/{quote(guessed)}", headers=bearer(reader))
        revoked = await client.delete(f"/v1/api-keys/{created[0]['id']}", headers=bearer(admin))
        assert revoked.status_code == 204
        assert (await client.get("/v1/nodes", headers=bearer(reader))).status_code == 401
        metrics = (await client.get("/metrics")).text

    async with app.state.pool.acquire() as conn:
        rows = await test_sql.dump_database(conn)
        every_table = {row["name"] for row in await test_sql.list_tables(conn)}
    tables = {row["name"]: row["rows"] or "" for row in rows}
    assert set(tables) == every_table
    # The search does see keys' rows: their public ids are there.
    assert created[0]["id"] in tables["api_keys"]
    places = {"log": server.log_text(), "metrics": metrics, **tables}
    needles = [*sent, *(secret_of(key) for key in sent)]
    leaks = [(place, needle[:12]) for place, text in places.items() for needle in needles if needle in text]
    assert leaks == []
