"""/v1/query/*: neighbours, traversal and shortest path on small graphs with known answers."""

from __future__ import annotations

import json

import httpx
import pytest
from starlette.applications import Starlette

from service.query_models import Traversal
from service.repository import sql
from tests.graph import node_path, put_edge, put_node
from tests.helpers import assert_problem
from tests.seed_graph import Graph, seed

VALIDATION = "/problems/validation-error"

# a -> b -> c -> a (a cycle), c -> d, d -> d (self-loop), a -x-> b and a -y-> b (parallel types),
# e isolated, f -> a.
CYCLE = Graph(
    nodes=[("svc", "a"), ("svc", "b"), ("svc", "c"), ("db", "d"), ("svc", "e"), ("job", "f")],
    edges=[
        ("svc:a", "x", "svc:b"),
        ("svc:a", "y", "svc:b"),
        ("svc:b", "x", "svc:c"),
        ("svc:c", "x", "svc:a"),
        ("svc:c", "x", "db:d"),
        ("db:d", "x", "db:d"),
        ("job:f", "x", "svc:a"),
    ],
)


@pytest.fixture
async def graph(app: Starlette, workspace: int) -> Graph:
    async with app.state.pool.acquire() as conn:
        await seed(conn, workspace, CYCLE)
    return CYCLE


async def _post(client: httpx.AsyncClient, auth: dict[str, str], route: str, body: dict) -> httpx.Response:
    return await client.post(f"/v1/query/{route}", json=body, headers=auth)


async def test_traverse_visits_each_node_once_at_its_fewest_hops(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "depth": 5})).json()
    assert [(n["ref"], n["depth"]) for n in body["nodes"]] == [
        ("svc:a", 0),
        ("svc:b", 1),
        ("svc:c", 2),
        ("db:d", 3),
    ]
    assert body["truncated"] is False
    assert body["edges"] == []


async def test_traverse_orders_each_depth_by_type_then_key(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:c", "depth": 1})).json()
    assert [n["ref"] for n in body["nodes"]] == ["svc:c", "db:d", "svc:a"]


async def test_traverse_depth_zero_is_the_start_alone(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "depth": 0})).json()
    assert [n["ref"] for n in body["nodes"]] == ["svc:a"]


async def test_traverse_in_follows_edges_backwards(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "direction": "in", "depth": 1})).json()
    assert [n["ref"] for n in body["nodes"]] == ["svc:a", "job:f", "svc:c"]


async def test_traverse_from_several_starts(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": ["svc:e", "db:d"], "depth": 2})).json()
    assert [(n["ref"], n["depth"]) for n in body["nodes"]] == [("db:d", 0), ("svc:e", 0)]


async def test_traverse_node_types_filter_entered_nodes_not_starts(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "job:f", "node_types": ["svc"], "depth": 9})).json()
    assert [n["ref"] for n in body["nodes"]] == ["job:f", "svc:a", "svc:b", "svc:c"]


async def test_traverse_edge_types_restrict_followed_edges(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "edge_types": ["y"], "depth": 9})).json()
    assert [n["ref"] for n in body["nodes"]] == ["svc:a", "svc:b"]


async def test_traverse_truncates_to_limit_in_order(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "depth": 5, "limit": 2})).json()
    assert [n["ref"] for n in body["nodes"]] == ["svc:a", "svc:b"]
    assert body["truncated"] is True


async def test_traverse_limit_equal_to_the_reachable_count_is_not_truncated(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:a", "depth": 5, "limit": 4})).json()
    assert body["truncated"] is False


async def test_traverse_include_edges_lists_edges_among_returned_nodes(client, auth, graph) -> None:
    body = (await _post(client, auth, "traverse", {"start": "svc:c", "depth": 1, "include_edges": True})).json()
    assert [(e["source"], e["type"], e["target"]) for e in body["edges"]] == [
        ("db:d", "x", "db:d"),
        ("svc:c", "x", "db:d"),
        ("svc:c", "x", "svc:a"),
    ]


async def test_neighbors_one_item_per_joining_edge_in_order(client, auth, graph) -> None:
    body = (await _post(client, auth, "neighbors", {"node": "svc:a", "direction": "both"})).json()
    assert [(i["node"]["ref"], i["edge"]["source"], i["edge"]["type"], i["edge"]["target"]) for i in body["items"]] == [
        ("job:f", "job:f", "x", "svc:a"),
        ("svc:b", "svc:a", "x", "svc:b"),
        ("svc:b", "svc:a", "y", "svc:b"),
        ("svc:c", "svc:c", "x", "svc:a"),
    ]
    assert body["next_cursor"] is None


async def test_neighbors_self_loop_appears_once_with_both(client, auth, graph) -> None:
    body = (await _post(client, auth, "neighbors", {"node": "db:d", "direction": "both"})).json()
    assert [(i["node"]["ref"], i["edge"]["source"]) for i in body["items"]] == [("db:d", "db:d"), ("svc:c", "svc:c")]


async def test_neighbors_outgoing_before_incoming_on_one_edge_type(client, auth, app, workspace) -> None:
    async with app.state.pool.acquire() as conn:
        await seed(conn, workspace, Graph([("t", "p"), ("t", "q")], [("t:p", "x", "t:q"), ("t:q", "x", "t:p")]))
    body = (await _post(client, auth, "neighbors", {"node": "t:p", "direction": "both"})).json()
    assert [(i["edge"]["source"], i["edge"]["target"]) for i in body["items"]] == [("t:p", "t:q"), ("t:q", "t:p")]


async def test_neighbors_pages_with_a_cursor(client, auth, graph) -> None:
    seen = []
    request = {"node": "svc:a", "direction": "both", "limit": 1}
    while True:
        body = (await _post(client, auth, "neighbors", request)).json()
        seen += [(i["node"]["ref"], i["edge"]["type"]) for i in body["items"]]
        if body["next_cursor"] is None:
            break
        request["cursor"] = body["next_cursor"]
    assert seen == [("job:f", "x"), ("svc:b", "x"), ("svc:b", "y"), ("svc:c", "x")]


async def test_neighbors_altered_cursor_answers_400(client, auth, graph) -> None:
    body = (await _post(client, auth, "neighbors", {"node": "svc:a", "limit": 1})).json()
    response = await _post(client, auth, "neighbors", {"node": "svc:a", "cursor": body["next_cursor"] + "x"})
    assert assert_problem(response, 400, VALIDATION)["errors"][0]["pointer"] == "#/cursor"


async def test_path_is_a_shortest_path_with_stored_orientation(client, auth, graph) -> None:
    body = (await _post(client, auth, "path", {"source": "svc:a", "target": "db:d"})).json()
    path = body["path"]
    assert path["length"] == 3
    assert [n["ref"] for n in path["nodes"]] == ["svc:a", "svc:b", "svc:c", "db:d"]
    assert [(e["source"], e["target"]) for e in path["edges"]] == [
        ("svc:a", "svc:b"),
        ("svc:b", "svc:c"),
        ("svc:c", "db:d"),
    ]


async def test_path_in_keeps_stored_edge_orientation(client, auth, graph) -> None:
    path = (await _post(client, auth, "path", {"source": "db:d", "target": "svc:c", "direction": "in"})).json()["path"]
    assert [(e["source"], e["target"]) for e in path["edges"]] == [("svc:c", "db:d")]


async def test_path_to_itself_has_length_zero(client, auth, graph) -> None:
    path = (await _post(client, auth, "path", {"source": "svc:e", "target": "svc:e"})).json()["path"]
    assert (path["length"], [n["ref"] for n in path["nodes"]], path["edges"]) == (0, ["svc:e"], [])


async def test_path_beyond_max_depth_is_null(client, auth, graph) -> None:
    body = (await _post(client, auth, "path", {"source": "svc:a", "target": "db:d", "max_depth": 2})).json()
    assert body == {"path": None}


async def test_path_between_unconnected_nodes_is_null(client, auth, graph) -> None:
    assert (await _post(client, auth, "path", {"source": "svc:a", "target": "svc:e"})).json() == {"path": None}


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("traverse", {"start": "svc:nope"}),
        ("traverse", {"start": ["svc:a", "svc:nope"]}),
        ("neighbors", {"node": "svc:nope"}),
        ("path", {"source": "svc:a", "target": "svc:nope"}),
        ("path", {"source": "svc:nope", "target": "svc:a"}),
    ],
)
async def test_a_ref_that_does_not_exist_answers_404(client, auth, graph, route, body) -> None:
    assert_problem(await _post(client, auth, route, body), 404)


@pytest.mark.parametrize(
    ("route", "body", "pointer", "detail"),
    [
        ("traverse", {"start": "svc:a", "depth": 11}, "#/depth", "must be at most 10"),
        ("traverse", {"start": "svc:a", "depth": -1}, "#/depth", "must be at least 0"),
        ("traverse", {"start": "svc:a", "limit": 10001}, "#/limit", "must be at most 10000"),
        ("traverse", {"start": "svc:a", "limit": 0}, "#/limit", "must be at least 1"),
        ("path", {"source": "svc:a", "target": "svc:b", "max_depth": 11}, "#/max_depth", "must be at most 10"),
        ("path", {"source": "svc:a", "target": "svc:b", "max_depth": 0}, "#/max_depth", "must be at least 1"),
        ("neighbors", {"node": "svc:a", "limit": 1001}, "#/limit", "must be at most 1000"),
        ("traverse", {"start": "svc:a", "depht": 2}, "#/depht", "unknown member"),
        ("traverse", {"start": "svc:a", "direction": "up"}, "#/direction", None),
        ("traverse", {"start": "no-colon"}, "#/start", None),
        ("traverse", {"start": ["svc:a", "9bad:x"]}, "#/start/1", None),
        ("traverse", {"start": "svc:a", "edge_types": ["ok", "not ok"]}, "#/edge_types/1", None),
        ("neighbors", {"node": "svc:" + "k" * 513}, "#/node", None),
        ("neighbors", {"node": "svc:a\u0007"}, "#/node", None),
        ("path", {"source": "svc:a"}, "#/target", "is required"),
    ],
)
async def test_a_bad_query_answers_400_pointing_at_the_member(client, auth, route, body, pointer, detail) -> None:
    problem = assert_problem(await _post(client, auth, route, body), 400, VALIDATION)
    assert any(
        error["pointer"].startswith(pointer) and (detail is None or error["detail"] == detail)
        for error in problem["errors"]
    ), problem["errors"]


async def test_a_query_needs_the_read_scope(client, make_key, graph) -> None:
    key = await make_key(["write"])
    response = await client.post(
        "/v1/query/traverse", json={"start": "svc:a"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert_problem(response, 403)


async def test_traverse_rendered_by_postgresql_matches_its_model_and_the_other_routes(client, auth, graph) -> None:
    traversed = await _post(client, auth, "traverse", {"start": "svc:c", "depth": 1, "include_edges": True})
    Traversal.model_validate_json(traversed.content)
    neighbors = (await _post(client, auth, "neighbors", {"node": "svc:c", "node_types": ["db"]})).json()
    via_traverse = next(n for n in traversed.json()["nodes"] if n["ref"] == "db:d")
    via_neighbors = neighbors["items"][0]["node"]
    assert {**via_traverse, "depth": None} == {**via_neighbors, "depth": None}
    assert via_traverse["properties"] == {"n": 3}


HARD = 't-x:"quoted" \\back\\ </script> ünï €😀 \u2028'
HARD_PROPERTIES = {"a": 'ü\n"', "n": [1.5, None, True], "deep": {"x": "\u2029"}}


async def _write_hard_node(client: httpx.AsyncClient, auth: dict[str, str], how: str) -> None:
    hard_type, hard_key = HARD.split(":", 1)
    if how == "put":
        await put_node(client, auth, HARD, HARD_PROPERTIES)
    elif how == "put twice":
        await put_node(client, auth, HARD, {"replaced": True})
        await put_node(client, auth, HARD, HARD_PROPERTIES)
    elif how == "patch":
        await put_node(client, auth, HARD, {"a": "replaced", "gone": 1})
        patch = {**HARD_PROPERTIES, "gone": None}
        patched = await client.patch(node_path(hard_type, hard_key), json=patch, headers=auth)
        assert patched.status_code == 200, patched.text
    elif how == "batch":
        body = {"nodes": [{"type": hard_type, "key": hard_key, "properties": HARD_PROPERTIES}]}
        assert (await client.post("/v1/batch", json=body, headers=auth)).status_code == 200
    else:
        line = json.dumps({"node": {"type": hard_type, "key": hard_key, "properties": HARD_PROPERTIES}})
        headers = {**auth, "Content-Type": "application/x-ndjson"}
        assert (await client.post("/v1/import", content=line, headers=headers)).status_code == 200


@pytest.mark.parametrize("how", ["put", "put twice", "patch", "batch", "import"])
async def test_traverse_renders_a_node_as_get_does_whichever_write_stored_it(client, auth, how) -> None:
    # Traverse joins each node's JSON as PostgreSQL stored it with the row (a
    # generated column); GET renders the row in Python. Equal as JSON values.
    await put_node(client, auth, "t.1:start")
    await _write_hard_node(client, auth, how)
    await put_edge(client, auth, "t.1:start", "e", HARD)
    traversed = (await _post(client, auth, "traverse", {"start": "t.1:start", "depth": 1})).json()
    got = (await client.get(node_path(*HARD.split(":", 1)), headers=auth)).json()
    assert got["properties"] == HARD_PROPERTIES
    assert traversed["nodes"][1] == {**got, "depth": 1}


@pytest.mark.parametrize(
    ("query", "values"),
    [
        (
            sql.traverse,
            {
                "start_types": ["svc"],
                "start_keys": ["a"],
                "max_depth": 3,
                "outgoing": True,
                "incoming": False,
                "edge_types": None,
                "limit": 10,
                "with_ids": False,
            },
        ),
        (
            sql.expand_frontier,
            {"frontier": [1], "always_allowed": [1], "outgoing": True, "incoming": False, "edge_types": None},
        ),
    ],
    ids=["traverse", "expand_frontier"],
)
async def test_node_types_are_checked_per_node_reached_not_by_hashing_the_table(
    app: Starlette, workspace: int, query, values
) -> None:
    # A hashed subplan reads every node of the asked types, in every
    # workspace, on every request: 30 ms on the benchmark graph, whatever the depth.
    values = values | {"node_types": ["svc"]}
    if "workspace_id" in query.params:
        values["workspace_id"] = workspace
    async with app.state.pool.acquire() as conn:
        plan = "\n".join(await query.explain(conn, values))
    assert "SubPlan" in plan
    assert "hashed SubPlan" not in plan
