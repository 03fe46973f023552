"""`skein create-workspace` and `skein create-key`: keys printed last, exit codes as the contract says."""

from __future__ import annotations

import os
import sys
import uuid

import anyio
import httpx

from tests.conftest import bearer


async def _skein(database_url: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    result = await anyio.run_process([sys.executable, "-m", "service", *args], env=env, check=False)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


async def test_create_workspace_prints_a_working_admin_key_last(database_url: str, client: httpx.AsyncClient) -> None:
    code, out, _ = await _skein(database_url, "create-workspace", f"ws-{uuid.uuid4().hex}")
    assert code == 0
    key = out.strip().splitlines()[-1]
    response = await client.get("/v1/api-keys", headers=bearer(key))
    assert response.status_code == 200
    assert response.json()["items"][0]["scopes"] == ["read", "write", "admin"]


async def test_create_workspace_with_a_taken_name_exits_1(database_url: str) -> None:
    name = f"ws-{uuid.uuid4().hex}"
    await _skein(database_url, "create-workspace", name)
    code, out, err = await _skein(database_url, "create-workspace", name)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and name in err


async def test_create_key_prints_a_key_with_the_given_scopes_and_limit(
    database_url: str, client: httpx.AsyncClient
) -> None:
    name = f"ws-{uuid.uuid4().hex}"
    _, out, _ = await _skein(database_url, "create-workspace", name)
    admin = out.strip().splitlines()[-1]
    code, out, _ = await _skein(
        database_url, "create-key", "--workspace", name, "--scopes", "read,write", "--name", "etl", "--rate-limit", "7"
    )
    assert code == 0
    key = out.strip().splitlines()[-1]
    assert (await client.get("/v1/api-keys", headers=bearer(key))).status_code == 403
    listed = (await client.get("/v1/api-keys", headers=bearer(admin))).json()["items"]
    etl = next(item for item in listed if item["name"] == "etl")
    assert (etl["scopes"], etl["rate_limit_per_minute"]) == (["read", "write"], 7)


async def test_create_key_in_an_unknown_workspace_exits_1(database_url: str) -> None:
    code, _, err = await _skein(database_url, "create-key", "--workspace", "no-such-ws", "--scopes", "read")
    assert code == 1
    assert len(err.strip().splitlines()) == 1


async def test_create_key_with_an_unknown_scope_exits_2(database_url: str) -> None:
    code, _, err = await _skein(database_url, "create-key", "--workspace", "x", "--scopes", "read,root")
    assert code == 2
    assert "scopes" in err
