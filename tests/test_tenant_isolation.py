"""Two workspaces: each key sees only its own workspace, on every route."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from service.repository import sql
from tests.conftest import KeyFactory, bearer
from tests.helpers import assert_problem, public_id_of
from tests.seed_graph import Graph, seed

VALIDATION = "/problems/validation-error"


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


@pytest.fixture
async def their_graph(client: httpx.AsyncClient, keys: tuple[str, str]) -> None:
    """svc:a -calls-> svc:b in the other workspace; the same refs do not exist in mine."""
    theirs = bearer(keys[1])
    for key in ("a", "b"):
        assert (
            await client.put(f"/v1/nodes/svc/{key}", json={"properties": {"owner": "them"}}, headers=theirs)
        ).is_success
    edge = {"source": "svc:a", "type": "calls", "target": "svc:b"}
    assert (await client.put("/v1/edges", json=edge, headers=theirs)).status_code == 201


async def _their_state(client: httpx.AsyncClient, theirs: str) -> tuple[list[Any], list[Any]]:
    nodes = (await client.get("/v1/nodes", headers=bearer(theirs))).json()["items"]
    edges = (await client.get("/v1/edges", headers=bearer(theirs))).json()["items"]
    return nodes, edges


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_a_node_of_another_workspace_answers_404(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None, method: str
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    assert_problem(await client.request(method, "/v1/nodes/svc/a", json={}, headers=bearer(mine)), 404)
    assert await _their_state(client, theirs) == before


async def test_putting_a_ref_that_another_workspace_has_creates_my_own_node(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    response = await client.put("/v1/nodes/svc/a", json={"properties": {"owner": "me"}}, headers=bearer(mine))
    assert response.status_code == 201
    assert await _their_state(client, theirs) == before


async def test_node_and_edge_lists_show_only_their_workspace(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, _ = keys
    for params in ({}, {"type": "svc"}, {"match": '{"owner": "them"}'}):
        assert (await client.get("/v1/nodes", params=params, headers=bearer(mine))).json()["items"] == []
    for params in ({}, {"source": "svc:a"}, {"target": "svc:b"}, {"type": "calls"}):
        assert (await client.get("/v1/edges", params=params, headers=bearer(mine))).json()["items"] == []


async def test_an_edge_cannot_join_nodes_of_another_workspace(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    edge = {"source": "svc:a", "type": "calls", "target": "svc:b"}
    body = assert_problem(await client.put("/v1/edges", json=edge, headers=bearer(mine)), 400, VALIDATION)
    assert [error["pointer"] for error in body["errors"]] == ["#/source", "#/target"]
    assert await _their_state(client, theirs) == before


async def test_an_edge_of_another_workspace_cannot_be_deleted(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    params = {"source": "svc:a", "type": "calls", "target": "svc:b"}
    assert_problem(await client.delete("/v1/edges", params=params, headers=bearer(mine)), 404)
    assert await _their_state(client, theirs) == before


async def test_a_batch_neither_joins_nor_deletes_another_workspaces_data(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    joining = {"edges": [{"source": "svc:a", "type": "calls", "target": "svc:b"}]}
    assert_problem(await client.post("/v1/batch", json=joining, headers=bearer(mine)), 400, VALIDATION)
    deleting = {"delete_edges": joining["edges"], "delete_nodes": ["svc:a", "svc:b"]}
    result = (await client.post("/v1/batch", json=deleting, headers=bearer(mine))).json()
    assert result["nodes"]["deleted"] == result["edges"]["deleted"] == 0
    assert await _their_state(client, theirs) == before


async def test_an_import_cannot_join_nodes_of_another_workspace(
    client: httpx.AsyncClient, keys: tuple[str, str], their_graph: None
) -> None:
    mine, theirs = keys
    before = await _their_state(client, theirs)
    line = b'{"edge": {"source": "svc:a", "type": "calls", "target": "svc:b"}}\n'
    headers = {**bearer(mine), "Content-Type": "application/x-ndjson"}
    body = assert_problem(await client.post("/v1/import", content=line, headers=headers), 400, VALIDATION)
    assert [(error["line"], error["pointer"]) for error in body["errors"]] == [
        (1, "#/edge/source"),
        (1, "#/edge/target"),
    ]
    assert await _their_state(client, theirs) == before
