"""Bearer keys on every /v1 route: one 401 for every bad key, scopes, secrets kept secret."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from service.auth import required_scope
from tests.conftest import KeyFactory, bearer
from tests.helpers import assert_problem, public_id_of, test_sql


async def _unauthorized_body(client: httpx.AsyncClient, headers: dict[str, str]) -> bytes:
    response = await client.get("/v1/api-keys", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert "ratelimit" not in response.headers
    return response.content


async def test_a_missing_key_answers_401_with_www_authenticate(client: httpx.AsyncClient) -> None:
    await _unauthorized_body(client, {})


async def test_every_kind_of_bad_key_gets_the_same_401(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    revoked = await make_key()
    revoke = await client.delete(f"/v1/api-keys/{public_id_of(revoked)}", headers=bearer(revoked))
    assert revoke.status_code == 204
    expired = await make_key(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    live = await make_key()
    unknown = live.replace(public_id_of(live), "0" * 12)
    wrong_secret = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    cases = {
        "missing": {},
        "malformed": bearer("skn_not-a-key"),
        "basic scheme": {"Authorization": f"Basic {live}"},
        "unknown": bearer(unknown),
        "wrong secret": bearer(wrong_secret),
        "revoked": bearer(revoked),
        "expired": bearer(expired),
    }
    bodies = {name: await _unauthorized_body(client, headers) for name, headers in cases.items()}
    assert len(set(bodies.values())) == 1, bodies


async def test_a_live_key_is_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.get("/v1/api-keys", headers=auth)
    assert response.status_code == 200


async def test_a_key_expiring_later_is_accepted(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    key = await make_key(expires_at=datetime.now(UTC) + timedelta(minutes=5))
    assert (await client.get("/v1/api-keys", headers=bearer(key))).status_code == 200


async def test_a_key_without_the_route_scope_answers_403(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    key = await make_key(["read", "write"])
    response = await client.get("/v1/api-keys", headers=bearer(key))
    assert_problem(response, 403)
    assert "ratelimit" in response.headers


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/v1/nodes/service/a", "read"),
        ("GET", "/v1/edges", "read"),
        ("POST", "/v1/query/traverse", "read"),
        ("PUT", "/v1/nodes/service/a", "write"),
        ("PATCH", "/v1/nodes/service/a", "write"),
        ("DELETE", "/v1/edges", "write"),
        ("POST", "/v1/batch", "write"),
        ("POST", "/v1/import", "write"),
        ("GET", "/v1/api-keys", "admin"),
        ("POST", "/v1/api-keys", "admin"),
        ("DELETE", "/v1/api-keys/abc", "admin"),
    ],
)
def test_each_route_needs_the_scope_of_the_contract(method: str, path: str, scope: str) -> None:
    assert required_scope(method, path) == scope


async def test_only_a_hash_of_the_secret_is_stored(app: Starlette, make_key: KeyFactory) -> None:
    key = await make_key()
    secret = key.split("_", 2)[2]
    async with app.state.pool.acquire() as conn:
        row = await test_sql.find_api_key_row(conn, public_id=public_id_of(key))
    assert secret not in row["row_text"]
    assert len(row["secret_hash"]) == 32


async def test_secrets_never_reach_the_logs(
    client: httpx.AsyncClient, make_key: KeyFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = await make_key()
    created = await client.post("/v1/api-keys", json={"name": "n", "scopes": ["read"]}, headers=bearer(key))
    new_key = created.json()["key"]
    await client.get("/v1/api-keys", headers=bearer(new_key))
    await client.get("/v1/api-keys", headers=bearer(key[:-1] + "x"))
    for secret in (key.split("_", 2)[2], new_key.split("_", 2)[2]):
        assert secret not in caplog.text
