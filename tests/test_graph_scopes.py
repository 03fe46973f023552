"""Every graph data route answers 403 to a key without the scope the contract gives it."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import KeyFactory, bearer
from tests.helpers import assert_problem

WRITES = [
    ("PUT", "/v1/nodes/svc/a"),
    ("PATCH", "/v1/nodes/svc/a"),
    ("DELETE", "/v1/nodes/svc/a"),
    ("PUT", "/v1/edges"),
    ("DELETE", "/v1/edges?source=svc:a&type=t&target=svc:b"),
    ("POST", "/v1/batch"),
    ("POST", "/v1/import"),
]
READS = [("GET", "/v1/nodes/svc/a"), ("GET", "/v1/nodes"), ("GET", "/v1/edges")]


@pytest.mark.parametrize(("method", "path"), WRITES)
async def test_writes_need_the_write_scope(
    client: httpx.AsyncClient, make_key: KeyFactory, method: str, path: str
) -> None:
    key = await make_key(["read", "admin"])
    assert_problem(await client.request(method, path, json={}, headers=bearer(key)), 403)


@pytest.mark.parametrize(("method", "path"), READS)
async def test_reads_need_the_read_scope(
    client: httpx.AsyncClient, make_key: KeyFactory, method: str, path: str
) -> None:
    key = await make_key(["write", "admin"])
    assert_problem(await client.request(method, path, headers=bearer(key)), 403)
