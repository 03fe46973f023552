"""/v1/edges: upsert between existing nodes, delete, and the list in (source, type, target) order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graph import VALIDATION, all_pages, errors_by_pointer, put_edge, put_node
from tests.helpers import assert_problem


@pytest.fixture
async def nodes(client: httpx.AsyncClient, auth: dict[str, str]) -> list[str]:
    refs = ["svc:a", "svc:b", "svc:c", "db:main"]
    for ref in refs:
        await put_node(client, auth, ref)
    return refs


def _triples(items: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(item["source"], item["type"], item["target"]) for item in items]


async def test_put_creates_an_edge_with_201(client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]) -> None:
    body = {"source": "svc:a", "type": "calls", "target": "svc:b", "properties": {"weight": 2}}
    response = await client.put("/v1/edges", json=body, headers=auth)
    assert response.status_code == 201
    edge = response.json()
    assert {k: edge[k] for k in body} == body
    assert edge["created_at"].endswith("Z") and edge["created_at"] == edge["updated_at"]


async def test_put_again_replaces_the_properties_with_200(
    client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]
) -> None:
    first = (await put_edge(client, auth, "svc:a", "calls", "svc:b", {"weight": 1, "x": 1})).json()
    response = await client.put(
        "/v1/edges",
        json={"source": "svc:a", "type": "calls", "target": "svc:b", "properties": {"weight": 5}},
        headers=auth,
    )
    assert response.status_code == 200
    assert response.json()["properties"] == {"weight": 5}
    assert response.json()["created_at"] == first["created_at"]
    assert response.json()["updated_at"] > first["updated_at"]


async def test_edges_of_different_types_between_two_nodes_and_self_loops_are_distinct(
    client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]
) -> None:
    for edge_type, target in (("calls", "svc:b"), ("reads", "svc:b"), ("calls", "svc:a")):
        response = await client.put(
            "/v1/edges", json={"source": "svc:a", "type": edge_type, "target": target}, headers=auth
        )
        assert response.status_code == 201
    assert len(await all_pages(client, auth, "/v1/edges")) == 3


async def test_an_edge_to_a_missing_node_answers_400_at_that_end_and_writes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]
) -> None:
    cases = [
        ({"source": "svc:a", "type": "calls", "target": "svc:zzz"}, ["#/target"]),
        ({"source": "svc:zzz", "type": "calls", "target": "svc:a"}, ["#/source"]),
        ({"source": "nope:1", "type": "calls", "target": "nope:2"}, ["#/source", "#/target"]),
    ]
    for body, pointers in cases:
        problem = assert_problem(await client.put("/v1/edges", json=body, headers=auth), 400, VALIDATION)
        assert list(errors_by_pointer(problem)) == pointers
    assert await all_pages(client, auth, "/v1/edges") == []


async def test_a_ref_splits_at_its_first_colon(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "url:https://example.com/a:b")
    await put_node(client, auth, "url:x")
    await put_edge(client, auth, "url:https://example.com/a:b", "links", "url:x")
    key = (await client.get("/v1/nodes/url/https:%2F%2Fexample.com%2Fa:b", headers=auth)).json()["key"]
    assert key == "https://example.com/a:b"
    assert _triples(await all_pages(client, auth, "/v1/edges", source="url:https://example.com/a:b")) == [
        ("url:https://example.com/a:b", "links", "url:x")
    ]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"source": "no-colon", "type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": "svc:a", "type": "calls", "target": "svc:"}, "#/target"),
        ({"source": ":a", "type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": "1svc:a", "type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": "svc:" + "k" * 513, "type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": "svc:a\nb", "type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": "svc:a", "type": "calls:x", "target": "svc:b"}, "#/type"),
        ({"source": "svc:a", "type": "", "target": "svc:b"}, "#/type"),
        ({"source": "svc:a", "type": "calls", "target": "svc:b", "weight": 1}, "#/weight"),
        ({"source": "svc:a", "type": "calls", "target": "svc:b", "properties": [1]}, "#/properties"),
        ({"type": "calls", "target": "svc:b"}, "#/source"),
        ({"source": 1, "type": "calls", "target": "svc:b"}, "#/source"),
    ],
)
async def test_bad_edge_bodies_answer_400_at_their_pointer(
    client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str], body: dict[str, Any], pointer: str
) -> None:
    response = await client.put("/v1/edges", json=body, headers=auth)
    assert list(errors_by_pointer(assert_problem(response, 400, VALIDATION))) == [pointer]


async def test_list_orders_by_source_then_type_then_target_in_code_points(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for ref in ("b:1", "a:2", "a:10", "A:9", "a:é"):
        await put_node(client, auth, ref)
    written = [
        ("b:1", "x", "a:2"),
        ("a:2", "y", "a:10"),
        ("a:2", "x", "b:1"),
        ("a:2", "x", "a:é"),
        ("a:2", "x", "A:9"),
        ("a:2", "Z", "b:1"),
        ("a:10", "x", "a:2"),
        ("A:9", "x", "A:9"),
        ("a:é", "x", "a:2"),
    ]
    for source, edge_type, target in written:
        await put_edge(client, auth, source, edge_type, target)
    expected = [
        ("A:9", "x", "A:9"),
        ("a:10", "x", "a:2"),
        ("a:2", "Z", "b:1"),
        ("a:2", "x", "A:9"),
        ("a:2", "x", "a:é"),
        ("a:2", "x", "b:1"),
        ("a:2", "y", "a:10"),
        ("a:é", "x", "a:2"),
        ("b:1", "x", "a:2"),
    ]
    assert _triples((await client.get("/v1/edges", headers=auth)).json()["items"]) == expected
    assert _triples(await all_pages(client, auth, "/v1/edges", limit="2")) == expected


@pytest.fixture
async def graph(client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]) -> list[tuple[str, str, str]]:
    edges = [
        ("svc:a", "calls", "svc:b"),
        ("svc:a", "calls", "svc:c"),
        ("svc:a", "reads", "db:main"),
        ("svc:b", "calls", "svc:c"),
        ("svc:b", "reads", "db:main"),
        ("svc:c", "calls", "svc:a"),
        ("svc:c", "calls", "svc:c"),
    ]
    for source, edge_type, target in edges:
        await put_edge(client, auth, source, edge_type, target)
    return sorted(edges)


@pytest.mark.parametrize(
    "filters",
    [
        {"source": "svc:a"},
        {"type": "calls"},
        {"target": "svc:c"},
        {"source": "svc:a", "type": "calls"},
        {"source": "svc:b", "target": "db:main"},
        {"type": "reads", "target": "db:main"},
        {"source": "svc:a", "type": "reads", "target": "db:main"},
        {"source": "svc:zzz"},
        {"target": "other:x"},
        {"type": "nothing"},
    ],
)
async def test_list_matches_every_given_filter_on_every_page(
    client: httpx.AsyncClient, auth: dict[str, str], graph: list[tuple[str, str, str]], filters: dict[str, str]
) -> None:
    expected = [
        edge
        for edge in graph
        if all(edge[("source", "type", "target").index(name)] == value for name, value in filters.items())
    ]
    assert _triples(await all_pages(client, auth, "/v1/edges", limit="1", **filters)) == expected


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"source": "svc"}, "source"),
        ({"target": "svc:"}, "target"),
        ({"type": "a b"}, "type"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "x.y"}, "cursor"),
        ({"sauce": "svc:a"}, "sauce"),
    ],
)
async def test_bad_list_parameters_answer_400_naming_them(
    client: httpx.AsyncClient, auth: dict[str, str], params: dict[str, str], parameter: str
) -> None:
    body = assert_problem(await client.get("/v1/edges", params=params, headers=auth), 400, VALIDATION)
    assert [error["parameter"] for error in body["errors"]] == [parameter]


async def test_a_cursor_of_the_node_list_is_refused_by_the_edge_list(
    client: httpx.AsyncClient, auth: dict[str, str], nodes: list[str]
) -> None:
    cursor = (await client.get("/v1/nodes", params={"limit": "1"}, headers=auth)).json()["next_cursor"]
    response = await client.get("/v1/edges", params={"cursor": cursor}, headers=auth)
    assert assert_problem(response, 400, VALIDATION)["errors"][0]["parameter"] == "cursor"


async def test_delete_answers_204_and_the_edge_is_gone(
    client: httpx.AsyncClient, auth: dict[str, str], graph: list[tuple[str, str, str]]
) -> None:
    params = {"source": "svc:a", "type": "calls", "target": "svc:b"}
    assert (await client.delete("/v1/edges", params=params, headers=auth)).status_code == 204
    assert _triples(await all_pages(client, auth, "/v1/edges")) == [
        e for e in graph if e != ("svc:a", "calls", "svc:b")
    ]
    assert_problem(await client.delete("/v1/edges", params=params, headers=auth), 404)


async def test_delete_of_an_edge_between_missing_nodes_answers_404(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    params = {"source": "svc:no", "type": "calls", "target": "svc:body"}
    assert_problem(await client.delete("/v1/edges", params=params, headers=auth), 404)


@pytest.mark.parametrize("missing", ["source", "type", "target"])
async def test_delete_needs_all_three_parameters(client: httpx.AsyncClient, auth: dict[str, str], missing: str) -> None:
    params = {name: value for name, value in {"source": "a:1", "type": "t", "target": "a:2"}.items() if name != missing}
    body = assert_problem(await client.delete("/v1/edges", params=params, headers=auth), 400, VALIDATION)
    assert body["errors"] == [{"detail": "is required", "parameter": missing}]


async def test_delete_with_a_malformed_ref_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    params = {"source": "a:1", "type": "t", "target": "no-colon"}
    body = assert_problem(await client.delete("/v1/edges", params=params, headers=auth), 400, VALIDATION)
    assert [error["parameter"] for error in body["errors"]] == ["target"]


async def test_a_non_json_edge_body_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/edges", content=b"{}", headers={**auth, "Content-Type": "text/plain"})
    assert_problem(response, 415)


async def test_malformed_json_edge_body_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    headers = {**auth, "Content-Type": "application/json"}
    response = await client.put("/v1/edges", content=b'{"source": ', headers=headers)
    assert list(errors_by_pointer(assert_problem(response, 400, VALIDATION))) == ["#"]
