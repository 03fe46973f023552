"""/v1/nodes: put, get, merge patch, delete, and the list by type and properties."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.graph import VALIDATION, all_pages, errors_by_pointer, node_path, put_edge, put_node
from tests.helpers import assert_problem

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def _nested(levels: int) -> dict[str, Any]:
    """Properties that nest ``levels`` levels deep, the properties object being level 1."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


def _of_size(size: int) -> dict[str, Any]:
    """Properties exactly ``size`` bytes long as compact UTF-8 JSON."""
    overhead = len(json.dumps({"a": ""}, separators=(",", ":")))
    return {"a": "x" * (size - overhead)}


async def test_put_creates_a_node_with_201_and_its_location(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/nodes/service/checkout", json={"properties": {"tier": 1}}, headers=auth)
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("type", "key", "ref", "properties")} == {
        "type": "service",
        "key": "checkout",
        "ref": "service:checkout",
        "properties": {"tier": 1},
    }
    assert body["created_at"].endswith("Z") and body["created_at"] == body["updated_at"]
    assert response.headers["location"] == "/v1/nodes/service/checkout"


async def test_put_again_replaces_the_properties_whole_with_200(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    first = (await put_node(client, auth, "service:a", {"x": 1, "y": 2})).json()
    response = await client.put("/v1/nodes/service/a", json={"properties": {"z": 3}}, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["properties"] == {"z": 3}
    assert body["created_at"] == first["created_at"]
    assert body["updated_at"] > first["updated_at"]


async def test_put_without_properties_stores_an_empty_object(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/nodes/service/a", json={}, headers=auth)
    assert response.json()["properties"] == {}


async def test_get_answers_the_stored_node(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    created = (await put_node(client, auth, "service:a", {"nested": {"list": [1, "two", None, 3.5]}})).json()
    response = await client.get("/v1/nodes/service/a", headers=auth)
    assert response.status_code == 200
    assert response.json() == created


async def test_get_of_a_missing_node_answers_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert_problem(await client.get("/v1/nodes/service/nothing", headers=auth), 404)


async def test_an_encoded_slash_and_a_plain_slash_address_the_same_key(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await client.put("/v1/nodes/file/src%2Fmain.py", json={"properties": {"n": 1}}, headers=auth)
    plain = await client.get("/v1/nodes/file/src/main.py", headers=auth)
    encoded = await client.get("/v1/nodes/file/src%2Fmain.py", headers=auth)
    assert plain.json()["key"] == encoded.json()["key"] == "src/main.py"
    assert plain.json()["ref"] == "file:src/main.py"


@pytest.mark.parametrize(
    "key",
    [
        "a/b/c",
        "/leading",
        "trailing/",
        "50% off",
        "%2F literally",
        "with space",
        "emoji 🧶",
        "url:https://x/y?q=1#f",
        "é",
    ],
)
async def test_any_key_round_trips_through_the_path(client: httpx.AsyncClient, auth: dict[str, str], key: str) -> None:
    put = await client.put(node_path("thing", key), json={}, headers=auth)
    assert put.status_code == 201
    got = await client.get(node_path("thing", key), headers=auth)
    assert got.json()["key"] == key
    assert got.json()["ref"] == f"thing:{key}"
    assert put.headers["location"] == node_path("thing", key)


async def test_a_key_of_512_characters_is_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (await client.put(node_path("t", "🧶" * 512), json={}, headers=auth)).status_code == 201


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (node_path("t", "k" * 513), "key"),
        ("/v1/nodes/t/", "key"),
        (node_path("t", "tab\there"), "key"),
        (node_path("t", "c1\x85control"), "key"),
        (node_path("9lives", "k"), "type"),
        (node_path("t" * 65, "k"), "type"),
        (node_path("a b", "k"), "type"),
    ],
)
async def test_a_bad_type_or_key_in_the_path_answers_400_naming_it(
    client: httpx.AsyncClient, auth: dict[str, str], path: str, parameter: str
) -> None:
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = await client.request(method, path, json={}, headers=auth)
        body = assert_problem(response, 400, VALIDATION)
        assert [error["parameter"] for error in body["errors"]] == [parameter]


async def test_a_type_of_64_characters_with_dots_dashes_and_underscores_is_accepted(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    node_type = "A" + "b_.-9" * 12 + "xyz"
    assert len(node_type) == 64
    assert (await client.put(node_path(node_type, "k"), json={}, headers=auth)).status_code == 201


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"properties": []}, "#/properties"),
        ({"properties": "text"}, "#/properties"),
        ({"properties": {}, "propertise": {}}, "#/propertise"),
        ({"properties": _of_size(64 * 1024 + 1)}, "#/properties"),
        ({"properties": {"é": "é" * 32767}}, "#/properties"),
        ({"properties": _nested(33)}, "#/properties"),
        ({"properties": {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}, "#/properties"),
        ({"properties": {"nul": "a\u0000b"}}, "#/properties"),
        ({"properties": {"a\u0000": 1}}, "#/properties"),
    ],
)
async def test_bad_properties_answer_400_at_their_pointer(
    client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, Any], pointer: str
) -> None:
    response = await client.put("/v1/nodes/t/k", json=body, headers=auth)
    assert list(errors_by_pointer(assert_problem(response, 400, VALIDATION))) == [pointer]
    assert_problem(await client.get("/v1/nodes/t/k", headers=auth), 404)


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"NaN", b"Infinity"])
async def test_numbers_json_cannot_hold_answer_400(
    client: httpx.AsyncClient, auth: dict[str, str], number: bytes
) -> None:
    content = b'{"properties": {"n": ' + number + b"}}"
    response = await client.put("/v1/nodes/t/k", content=content, headers={**auth, "Content-Type": "application/json"})
    body = assert_problem(response, 400, VALIDATION)
    assert body["errors"] == [{"detail": "numbers must be finite", "pointer": "#/properties"}]


async def test_properties_at_the_limits_are_accepted(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for properties in (_of_size(64 * 1024), _nested(32), {"a": "\\u0000 is only text here"}):
        response = await client.put("/v1/nodes/t/k", json={"properties": properties}, headers=auth)
        assert response.status_code in (200, 201), response.text
        assert response.json()["properties"] == properties


async def test_a_non_json_body_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/nodes/t/k", content=b"{}", headers={**auth, "Content-Type": "text/plain"})
    assert_problem(response, 415)


async def test_malformed_json_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/nodes/t/k", content=b"{", headers={**auth, "Content-Type": "application/json"})
    assert_problem(response, 400, VALIDATION)


async def test_patch_merges_nested_members_and_null_deletes(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "t:k", {"a": {"b": 1, "c": 2}, "d": [1, 2], "e": "gone"})
    patch = {"a": {"c": None, "x": {"y": None, "z": 1}}, "d": [3], "e": None, "f": True}
    response = await client.patch("/v1/nodes/t/k", json=patch, headers={**auth, **MERGE_PATCH})
    assert response.status_code == 200
    assert response.json()["properties"] == {"a": {"b": 1, "x": {"z": 1}}, "d": [3], "f": True}
    assert (await client.get("/v1/nodes/t/k", headers=auth)).json()["properties"] == response.json()["properties"]


async def test_patch_accepts_plain_json_too(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "t:k", {"a": 1})
    response = await client.patch("/v1/nodes/t/k", json={"b": 2}, headers=auth)
    assert response.json()["properties"] == {"a": 1, "b": 2}


async def test_patch_with_another_content_type_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "t:k")
    response = await client.patch(
        "/v1/nodes/t/k", content=b"{}", headers={**auth, "Content-Type": "application/json-patch+json"}
    )
    assert_problem(response, 415)


@pytest.mark.parametrize("patch", [b"[]", b'"text"', b"null", b"{"])
async def test_a_patch_that_is_not_a_json_object_answers_400(
    client: httpx.AsyncClient, auth: dict[str, str], patch: bytes
) -> None:
    await put_node(client, auth, "t:k", {"a": 1})
    response = await client.patch("/v1/nodes/t/k", content=patch, headers={**auth, **MERGE_PATCH})
    faults = errors_by_pointer(assert_problem(response, 400, VALIDATION))
    assert list(faults) == ["#"]
    assert faults["#"].startswith("malformed JSON" if patch == b"{" else "must be a JSON object")
    assert (await client.get("/v1/nodes/t/k", headers=auth)).json()["properties"] == {"a": 1}


async def test_a_patch_that_would_grow_past_64_kib_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "t:k", {"a": "x" * 40_000})
    response = await client.patch("/v1/nodes/t/k", json={"b": "y" * 40_000}, headers={**auth, **MERGE_PATCH})
    assert list(errors_by_pointer(assert_problem(response, 400, VALIDATION))) == ["#"]
    assert list((await client.get("/v1/nodes/t/k", headers=auth)).json()["properties"]) == ["a"]


async def test_patch_of_a_missing_node_answers_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert_problem(await client.patch("/v1/nodes/t/none", json={}, headers={**auth, **MERGE_PATCH}), 404)


async def test_delete_answers_204_and_the_node_is_gone(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "t:k")
    assert (await client.delete("/v1/nodes/t/k", headers=auth)).status_code == 204
    assert_problem(await client.get("/v1/nodes/t/k", headers=auth), 404)


async def test_delete_of_a_missing_node_answers_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert_problem(await client.delete("/v1/nodes/t/none", headers=auth), 404)


async def test_delete_removes_the_nodes_edges_both_ways(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for ref in ("s:a", "s:b", "s:c"):
        await put_node(client, auth, ref)
    await put_edge(client, auth, "s:a", "calls", "s:b")
    await put_edge(client, auth, "s:b", "calls", "s:c")
    await put_edge(client, auth, "s:b", "calls", "s:b")
    await put_edge(client, auth, "s:a", "calls", "s:c")
    await client.delete("/v1/nodes/s/b", headers=auth)
    edges = await all_pages(client, auth, "/v1/edges")
    assert [(edge["source"], edge["target"]) for edge in edges] == [("s:a", "s:c")]


async def test_list_orders_by_type_then_key_in_code_points(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    refs = ["b:a", "B:z", "a:é", "a:Z", "a:z", "a:a/b", "a:a", "a:a b", "a.b:x"]
    for ref in refs:
        await put_node(client, auth, ref)
    listed = [item["ref"] for item in (await client.get("/v1/nodes", headers=auth)).json()["items"]]
    assert listed == ["B:z", "a:Z", "a:a", "a:a b", "a:a/b", "a:z", "a:é", "a.b:x", "b:a"]


async def test_list_pages_through_every_node_once(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    refs = [f"t{i % 3}:k{i:02d}" for i in range(11)]
    for ref in refs:
        await put_node(client, auth, ref)
    paged = [item["ref"] for item in await all_pages(client, auth, "/v1/nodes", limit="3")]
    assert paged == sorted(refs)


async def test_list_filters_by_type(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for ref in ("a:1", "b:1", "b:2", "c:1"):
        await put_node(client, auth, ref)
    paged = await all_pages(client, auth, "/v1/nodes", type="b", limit="1")
    assert [item["ref"] for item in paged] == ["b:1", "b:2"]


async def test_list_filters_by_properties_containing_match(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await put_node(client, auth, "s:a", {"team": "pay", "tags": ["x", "y"], "tier": 1})
    await put_node(client, auth, "s:b", {"team": "pay", "tags": ["y"]})
    await put_node(client, auth, "s:c", {"team": "web", "tags": ["x"]})
    await put_node(client, auth, "q:d", {"team": "pay", "tags": ["x"]})
    match = json.dumps({"team": "pay", "tags": ["x"]})
    assert [item["ref"] for item in await all_pages(client, auth, "/v1/nodes", match=match)] == ["q:d", "s:a"]
    typed = await all_pages(client, auth, "/v1/nodes", match=match, type="s")
    assert [item["ref"] for item in typed] == ["s:a"]


async def test_a_cursor_of_the_whole_list_continues_a_typed_list(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for ref in ("a:1", "b:1", "b:2", "b:3"):
        await put_node(client, auth, ref)
    first = (await client.get("/v1/nodes", params={"limit": "2"}, headers=auth)).json()
    rest = await client.get("/v1/nodes", params={"type": "b", "cursor": first["next_cursor"]}, headers=auth)
    assert [item["ref"] for item in rest.json()["items"]] == ["b:2", "b:3"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "1x"}, "type"),
        ({"match": "{"}, "match"),
        ({"match": "[1]"}, "match"),
        ({"match": '{"a": "\\u0000"}'}, "match"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"cursor": "forged"}, "cursor"),
        ({"kind": "x"}, "kind"),
    ],
)
async def test_bad_list_parameters_answer_400_naming_them(
    client: httpx.AsyncClient, auth: dict[str, str], params: dict[str, str], parameter: str
) -> None:
    body = assert_problem(await client.get("/v1/nodes", params=params, headers=auth), 400, VALIDATION)
    assert [error["parameter"] for error in body["errors"]] == [parameter]


async def test_a_cursor_of_the_edge_list_is_refused_by_the_node_list(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for ref in ("s:a", "s:b", "s:c"):
        await put_node(client, auth, ref)
    await put_edge(client, auth, "s:a", "x", "s:b")
    await put_edge(client, auth, "s:a", "x", "s:c")
    cursor = (await client.get("/v1/edges", params={"limit": "1"}, headers=auth)).json()["next_cursor"]
    response = await client.get("/v1/nodes", params={"cursor": cursor}, headers=auth)
    assert assert_problem(response, 400, VALIDATION)["errors"][0]["parameter"] == "cursor"
