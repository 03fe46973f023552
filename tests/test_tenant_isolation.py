"""Two workspaces: each key sees only its own workspace, on every route."""

from __future__ import annotations

import uuid

import httpx
import pytest
from starlette.applications import Starlette

from service.repository import sql
from tests.conftest import KeyFactory, bearer
from tests.graphs import Graph, seed
from tests.helpers import assert_problem, public_id_of


@pytest.fixture
async def other_workspace(app: Starlette) -> int:
    async with app.state.pool.acquire() as conn:
        return int((await sql.create_workspace(conn, name=f"other-{uuid.uuid4().hex}"))["id"])


@pytest.fixture
async def keys(make_key: KeyFactory, other_workspace: int) -> tuple[str, str]:
    return await make_key(), await make_key(workspace_id=other_workspace)


async def test_api_key_lists_show_only_their_workspace(client: httpx.AsyncClient, keys: tuple[str, str]) -> None:
    mine, theirs = keys
    listed = (await client.get("/v1/api-keys", headers=bearer(mine))).json()["items"]
    assert [item["id"] for item in listed] == [public_id_of(mine)]


async def test_a_key_of_another_workspace_cannot_be_revoked(client: httpx.AsyncClient, keys: tuple[str, str]) -> None:
    mine, theirs = keys
    response = await client.delete(f"/v1/api-keys/{public_id_of(theirs)}", headers=bearer(mine))
    assert_problem(response, 404)
    assert (await client.get("/v1/api-keys", headers=bearer(theirs))).status_code == 200


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("neighbors", {"node": "svc:theirs"}),
        ("traverse", {"start": "svc:theirs"}),
        ("path", {"source": "svc:theirs", "target": "svc:theirs"}),
    ],
)
async def test_queries_do_not_see_another_workspace_s_nodes(
    app: Starlette, client: httpx.AsyncClient, keys: tuple[str, str], other_workspace: int, route: str, body: dict
) -> None:
    mine, theirs = keys
    async with app.state.pool.acquire() as conn:
        await seed(conn, other_workspace, Graph([("svc", "theirs")], []))
    assert (await client.post(f"/v1/query/{route}", json=body, headers=bearer(theirs))).status_code == 200
    assert_problem(await client.post(f"/v1/query/{route}", json=body, headers=bearer(mine)), 404)
