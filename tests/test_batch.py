"""POST /v1/batch: four lists in one transaction, later duplicates winning, every fault named."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from service.settings import Settings
from tests.graph import VALIDATION, all_pages, errors_by_pointer, put_edge, put_node
from tests.helpers import assert_problem, test_sql


async def _graph(app: Starlette, workspace: int) -> str:
    async with app.state.pool.acquire() as conn:
        text: str = await test_sql.workspace_graph(conn, workspace_id=workspace)
    return text


async def _batch(client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/batch", json=body, headers=auth)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_edges_may_name_nodes_of_the_same_batch(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    result = await _batch(
        client,
        auth,
        {
            "nodes": [{"type": "svc", "key": "a", "properties": {"n": 1}}, {"type": "svc", "key": "b"}],
            "edges": [{"source": "svc:a", "type": "calls", "target": "svc:b", "properties": {"w": 1}}],
        },
    )
    assert result == {
        "nodes": {"created": 2, "updated": 0, "deleted": 0},
        "edges": {"created": 1, "updated": 0, "deleted": 0},
    }
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"n": 1}
    edges = (await client.get("/v1/edges", headers=auth)).json()["items"]
    assert [(e["source"], e["type"], e["target"], e["properties"]) for e in edges] == [
        ("svc:a", "calls", "svc:b", {"w": 1})
    ]


async def test_writing_existing_nodes_and_edges_counts_updates(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "svc:a")
    await put_node(client, auth, "svc:b")
    await put_edge(client, auth, "svc:a", "calls", "svc:b")
    result = await _batch(
        client,
        auth,
        {
            "nodes": [{"type": "svc", "key": "a", "properties": {"v": 2}}, {"type": "svc", "key": "c"}],
            "edges": [
                {"source": "svc:a", "type": "calls", "target": "svc:b", "properties": {"v": 2}},
                {"source": "svc:c", "type": "calls", "target": "svc:a"},
            ],
        },
    )
    assert result["nodes"] == {"created": 1, "updated": 1, "deleted": 0}
    assert result["edges"] == {"created": 1, "updated": 1, "deleted": 0}
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"v": 2}


async def test_the_later_of_two_duplicates_wins_and_counts_once(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    edge = {"source": "svc:a", "type": "calls", "target": "svc:a"}
    result = await _batch(
        client,
        auth,
        {
            "nodes": [
                {"type": "svc", "key": "a", "properties": {"v": 1}},
                {"type": "svc", "key": "a", "properties": {"v": 2}},
            ],
            "edges": [{**edge, "properties": {"v": 1}}, {**edge, "properties": {"v": 2}}],
        },
    )
    assert result["nodes"]["created"] == 1 and result["edges"]["created"] == 1
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"v": 2}
    assert (await client.get("/v1/edges", headers=auth)).json()["items"][0]["properties"] == {"v": 2}


async def test_deletions_count_what_existed_and_run_after_the_writes(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for ref in ("svc:a", "svc:b", "svc:c"):
        await put_node(client, auth, ref)
    await put_edge(client, auth, "svc:a", "calls", "svc:b")
    await put_edge(client, auth, "svc:b", "calls", "svc:c")
    result = await _batch(
        client,
        auth,
        {
            "nodes": [{"type": "svc", "key": "d"}],
            "edges": [{"source": "svc:d", "type": "calls", "target": "svc:a"}],
            "delete_edges": [
                {"source": "svc:a", "type": "calls", "target": "svc:b"},
                {"source": "svc:a", "type": "calls", "target": "svc:b"},
                {"source": "svc:a", "type": "calls", "target": "svc:c"},
                {"source": "svc:none", "type": "calls", "target": "svc:b"},
            ],
            "delete_nodes": ["svc:c", "svc:d", "svc:never"],
        },
    )
    assert result == {
        "nodes": {"created": 1, "updated": 0, "deleted": 2},
        "edges": {"created": 1, "updated": 0, "deleted": 1},
    }
    assert [node["ref"] for node in await all_pages(client, auth, "/v1/nodes")] == ["svc:a", "svc:b"]
    assert await all_pages(client, auth, "/v1/edges") == []


async def test_an_empty_batch_counts_nothing(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    zero = {"created": 0, "updated": 0, "deleted": 0}
    assert await _batch(client, auth, {}) == {"nodes": zero, "edges": zero}


async def test_edges_to_missing_nodes_are_each_named_and_nothing_is_written(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int
) -> None:
    await put_node(client, auth, "svc:a", {"v": 1})
    before = await _graph(app, workspace)
    response = await client.post(
        "/v1/batch",
        json={
            "nodes": [{"type": "svc", "key": "a", "properties": {"v": 2}}, {"type": "svc", "key": "b"}],
            "edges": [
                {"source": "svc:a", "type": "calls", "target": "svc:b"},
                {"source": "svc:a", "type": "calls", "target": "svc:x"},
                {"source": "svc:y", "type": "calls", "target": "svc:z"},
                {"source": "svc:b", "type": "calls", "target": "svc:a"},
            ],
            "delete_nodes": ["svc:a"],
        },
        headers=auth,
    )
    body = assert_problem(response, 400, VALIDATION)
    assert list(errors_by_pointer(body)) == ["#/edges/1/target", "#/edges/2/source", "#/edges/2/target"]
    assert await _graph(app, workspace) == before


async def test_malformed_items_are_each_named_and_nothing_is_written(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int
) -> None:
    await put_node(client, auth, "svc:a")
    before = await _graph(app, workspace)
    response = await client.post(
        "/v1/batch",
        json={
            "nodes": [{"type": "svc", "key": "ok"}, {"type": "1bad", "key": "k"}, {"type": "svc", "key": ""}],
            "edges": [
                {"source": "svc:a", "type": "calls", "target": "svc:ok"},
                {"source": "svc:a", "type": "calls", "target": "nocolon"},
                {"source": "svc:a", "type": "calls", "target": "svc:ok", "properties": [1]},
            ],
            "delete_edges": [{"source": "svc:a", "type": "calls", "target": "svc:a", "properties": {}}],
            "delete_nodes": ["svc:a", "svc", 7],
            "delete_everything": True,
        },
        headers=auth,
    )
    body = assert_problem(response, 400, VALIDATION)
    assert sorted(errors_by_pointer(body)) == [
        "#/delete_edges/0/properties",
        "#/delete_everything",
        "#/delete_nodes/1",
        "#/delete_nodes/2",
        "#/edges/1/target",
        "#/edges/2/properties",
        "#/nodes/1/type",
        "#/nodes/2/key",
    ]
    assert await _graph(app, workspace) == before


async def test_a_batch_of_10000_items_is_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    nodes = [{"type": "n", "key": str(i)} for i in range(5000)]
    edges = [{"source": f"n:{i}", "type": "e", "target": f"n:{(i + 1) % 5000}"} for i in range(5000)]
    result = await _batch(client, auth, {"nodes": nodes, "edges": edges})
    assert result["nodes"]["created"] == 5000 and result["edges"]["created"] == 5000


async def test_a_batch_over_10000_items_across_its_lists_answers_400(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = {
        "nodes": [{"type": "n", "key": str(i)} for i in range(5000)],
        "delete_nodes": [f"n:{i}" for i in range(4000)],
        "delete_edges": [{"source": "n:1", "type": "e", "target": f"n:{i}"} for i in range(1001)],
    }
    problem = assert_problem(await client.post("/v1/batch", json=body, headers=auth), 400, VALIDATION)
    assert list(errors_by_pointer(problem)) == ["#"]
    assert "10001" in problem["errors"][0]["detail"]
    assert await all_pages(client, auth, "/v1/nodes") == []


@pytest.mark.parametrize("bad", ["type", "missing end"])
async def test_errors_list_at_most_the_first_100_faults(
    client: httpx.AsyncClient, auth: dict[str, str], bad: str
) -> None:
    await put_node(client, auth, "n:a")
    if bad == "type":
        body = {"nodes": [{"type": "1x", "key": str(i)} for i in range(150)]}
    else:
        body = {"edges": [{"source": "n:a", "type": "e", "target": f"n:{i}"} for i in range(150)]}
    problem = assert_problem(await client.post("/v1/batch", json=body, headers=auth), 400, VALIDATION)
    assert len(problem["errors"]) == 100
    assert problem["errors"][0]["pointer"].endswith("/0/type" if bad == "type" else "/0/target")
    assert problem["errors"][99]["pointer"].startswith("#/nodes/99" if bad == "type" else "#/edges/99")


async def test_a_non_json_batch_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/batch", content=b"{}", headers={**auth, "Content-Type": "application/x-ndjson"})
    assert_problem(response, 415)


async def test_a_batch_body_over_the_size_limit_answers_413(
    client: httpx.AsyncClient, auth: dict[str, str], settings: Settings
) -> None:
    padding = "x" * 500
    count = settings.max_body_bytes // 500 + 1
    body = {"nodes": [{"type": "n", "key": str(i), "properties": {"p": padding}} for i in range(count)]}
    assert_problem(await client.post("/v1/batch", json=body, headers=auth), 413)
    assert await all_pages(client, auth, "/v1/nodes") == []


async def test_malformed_json_batch_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    response = await client.post("/v1/batch", content=b'{"nodes": [', headers=headers)
    assert list(errors_by_pointer(assert_problem(response, 400, VALIDATION))) == ["#"]
