"""Traverse, path and neighbours against networkx on random multigraphs with cycles.

Each example builds a random directed multigraph (self-loops, cycles,
parallel edges of different types), loads it into a fresh workspace, asks
one query with a random direction and random filters, and compares the
answer with networkx's.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from service.query_models import Traversal
from service.repository import sql
from tests.conftest import KeyFactory, bearer
from tests.seed_graph import Graph, seed

# Types that begin other types, and hold characters that sort below ':':
# the order is by type, then key, never by the "type:key" text.
NODE_TYPES = ["a", "a-", "a.b", "a0", "B", "b"]
EDGE_TYPES = ["x", "y"]
# Code-point order is part of the contract: keys mix case, digits, ':' and non-ASCII.
KEYS = ["1", "A", "a", "a:b", "é", "Z/z", "0", "ß"]

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

pytestmark = pytest.mark.slow


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    count = draw(st.integers(1, 8))
    nodes = draw(
        st.lists(
            st.tuples(st.sampled_from(NODE_TYPES), st.sampled_from(KEYS)),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    refs = [f"{t}:{k}" for t, k in nodes]
    edges = draw(
        st.lists(
            st.tuples(st.sampled_from(refs), st.sampled_from(EDGE_TYPES), st.sampled_from(refs)),
            max_size=20,
            unique=True,
        )
    )
    return Graph(nodes=nodes, edges=edges)


filters = st.fixed_dictionaries(
    {},
    optional={
        "direction": st.sampled_from(["out", "in", "both"]),
        "edge_types": st.lists(st.sampled_from(EDGE_TYPES), unique=True),
        "node_types": st.lists(st.sampled_from(NODE_TYPES), unique=True),
    },
)


def followed(graph: Graph, query: dict[str, Any], keep: set[str]) -> nx.DiGraph:
    """The simple digraph the query walks: allowed edges, oriented by direction, among ``keep``."""
    direction = query.get("direction", "out")
    edge_types = query.get("edge_types")
    walk = nx.DiGraph()
    walk.add_nodes_from(keep)
    for source, edge_type, target in graph.edges:
        if edge_types is not None and edge_type not in edge_types:
            continue
        if source not in keep or target not in keep:
            continue
        if direction in ("out", "both"):
            walk.add_edge(source, target)
        if direction in ("in", "both"):
            walk.add_edge(target, source)
    return walk


def enterable(graph: Graph, query: dict[str, Any], always: list[str]) -> set[str]:
    node_types = query.get("node_types")
    refs = {f"{t}:{k}" for t, k in graph.nodes}
    if node_types is None:
        return refs
    return {ref for ref in refs if ref.partition(":")[0] in node_types} | set(always)


def order(ref: str, depth: int) -> tuple[int, str, str]:
    node_type, _, key = ref.partition(":")
    return depth, node_type, key


def edge_order(edge: tuple[str, str, str]) -> tuple[str, str, str, str, str]:
    source, edge_type, target = edge
    return (*source.partition(":")[::2], edge_type, *target.partition(":")[::2])


# Everything is drawn before the test body runs: a draw inside the async body
# could stop the example from within anyio's runner task and kill the runner.
@st.composite
def traverse_cases(draw: st.DrawFn) -> tuple[Graph, dict[str, Any]]:
    graph, query = draw(graphs()), draw(filters)
    refs = [f"{t}:{k}" for t, k in graph.nodes]
    # A ref given twice counts once.
    starts = draw(st.lists(st.sampled_from(refs), min_size=1, max_size=3))
    body = {**query, "start": starts, "depth": draw(st.integers(0, 4)), "limit": draw(st.integers(1, 10))}
    return graph, {**body, "include_edges": True}


@st.composite
def path_cases(draw: st.DrawFn) -> tuple[Graph, dict[str, Any]]:
    graph, query = draw(graphs()), draw(filters)
    refs = [f"{t}:{k}" for t, k in graph.nodes]
    ends = {"source": draw(st.sampled_from(refs)), "target": draw(st.sampled_from(refs))}
    return graph, {**query, **ends, "max_depth": draw(st.integers(1, 6))}


@st.composite
def neighbor_cases(draw: st.DrawFn) -> tuple[Graph, dict[str, Any]]:
    graph, query = draw(graphs()), draw(filters)
    refs = [f"{t}:{k}" for t, k in graph.nodes]
    return graph, {**query, "node": draw(st.sampled_from(refs)), "limit": draw(st.integers(1, 4))}


class Loaded:
    def __init__(self, app: Starlette, client: httpx.AsyncClient, make_key: KeyFactory) -> None:
        self.app, self.client, self.make_key = app, client, make_key

    async def load(self, graph: Graph) -> dict[str, str]:
        """A fresh workspace per example, holding ``graph``; the headers of its key."""
        async with self.app.state.pool.acquire() as conn:
            workspace = (await sql.create_workspace(conn, name=f"oracle-{uuid.uuid4().hex}"))["id"]
            await seed(conn, workspace, graph)
        return bearer(await self.make_key(["read"], workspace_id=workspace))


@pytest.fixture
def loaded(app: Starlette, client: httpx.AsyncClient, make_key: KeyFactory) -> Loaded:
    return Loaded(app, client, make_key)


@EXAMPLES
@given(case=traverse_cases())
async def test_traverse_matches_networkx(loaded: Loaded, case: tuple[Graph, dict[str, Any]]) -> None:
    graph, body = case
    query, starts, depth, limit = body, body["start"], body["depth"], body["limit"]
    headers = await loaded.load(graph)
    response = await loaded.client.post("/v1/query/traverse", json=body, headers=headers)
    Traversal.model_validate_json(response.content)
    answer = response.json()

    walk = followed(graph, query, enterable(graph, query, starts))
    depths = nx.multi_source_dijkstra_path_length(walk, set(starts), cutoff=depth)
    expected = sorted(depths.items(), key=lambda item: order(*item))
    assert [(n["ref"], n["depth"]) for n in answer["nodes"]] == expected[:limit]
    assert answer["truncated"] == (len(expected) > limit)
    returned = {ref for ref, _ in expected[:limit]}
    edge_types = query.get("edge_types")
    induced = sorted(
        (
            e
            for e in graph.edges
            if e[0] in returned and e[2] in returned and (edge_types is None or e[1] in edge_types)
        ),
        key=edge_order,
    )
    assert [(e["source"], e["type"], e["target"]) for e in answer["edges"]] == induced


@EXAMPLES
@given(case=path_cases())
async def test_path_matches_networkx(loaded: Loaded, case: tuple[Graph, dict[str, Any]]) -> None:
    graph, body = case
    query, source, target, max_depth = body, body["source"], body["target"], body["max_depth"]
    headers = await loaded.load(graph)
    answer = (await loaded.client.post("/v1/query/path", json=body, headers=headers)).json()

    walk = followed(graph, query, enterable(graph, query, [source, target]))
    try:
        length: int | None = nx.shortest_path_length(walk, source, target)
    except nx.NetworkXNoPath:
        length = None
    if length is None or length > max_depth:
        assert answer == {"path": None}
        return
    path = answer["path"]
    assert path["length"] == length == len(path["edges"]) == len(path["nodes"]) - 1
    nodes = [n["ref"] for n in path["nodes"]]
    assert nodes[0] == source and nodes[-1] == target
    allowed = enterable(graph, query, [source, target])
    direction = query.get("direction", "out")
    for here, there, edge in zip(nodes[:-1], nodes[1:], path["edges"], strict=True):
        assert there in allowed
        stored = (edge["source"], edge["type"], edge["target"])
        assert stored in graph.edges
        assert query.get("edge_types") is None or edge["type"] in query["edge_types"]
        forwards, backwards = stored[0] == here and stored[2] == there, stored[0] == there and stored[2] == here
        assert {"out": forwards, "in": backwards, "both": forwards or backwards}[direction]


@EXAMPLES
@given(case=neighbor_cases())
async def test_neighbors_match_the_graph(loaded: Loaded, case: tuple[Graph, dict[str, Any]]) -> None:
    graph, query = case
    node, limit = query["node"], query["limit"]
    headers = await loaded.load(graph)
    request = dict(query)
    seen: list[tuple[str, str, str, str]] = []
    while True:
        answer = (await loaded.client.post("/v1/query/neighbors", json=request, headers=headers)).json()
        assert len(answer["items"]) <= limit
        seen += [
            (i["node"]["ref"], i["edge"]["source"], i["edge"]["type"], i["edge"]["target"]) for i in answer["items"]
        ]
        if answer["next_cursor"] is None:
            break
        request["cursor"] = answer["next_cursor"]

    direction = query.get("direction", "out")
    edge_types, node_types = query.get("edge_types"), query.get("node_types")
    expected = []
    for source, edge_type, target in graph.edges:
        if edge_types is not None and edge_type not in edge_types:
            continue
        if direction in ("out", "both") and source == node:
            expected.append((target, 0, source, edge_type, target))
        elif direction in ("in", "both") and target == node:
            expected.append((source, 1, source, edge_type, target))
    expected = [e for e in expected if node_types is None or e[0].partition(":")[0] in node_types]
    expected.sort(key=lambda e: (*e[0].partition(":")[::2], e[3], e[1]))
    assert seen == [(neighbor, s, t, d) for neighbor, _, s, t, d in expected]
