"""Building test graphs: seeded into a workspace, and mirrored in networkx as the oracle."""

from __future__ import annotations

import dataclasses
from typing import Any

import networkx as nx

from tests.helpers import test_sql


@dataclasses.dataclass(frozen=True)
class Graph:
    nodes: list[tuple[str, str]]  # (type, key)
    edges: list[tuple[str, str, str]]  # (source ref, edge type, target ref)

    def multigraph(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for node_type, key in self.nodes:
            graph.add_node(f"{node_type}:{key}", type=node_type, key=key)
        for source, edge_type, target in self.edges:
            graph.add_edge(source, target, key=edge_type)
        return graph


def split(ref: str) -> tuple[str, str]:
    node_type, _, key = ref.partition(":")
    return node_type, key


async def seed(conn: Any, workspace_id: int, graph: Graph) -> None:
    sources = [split(source) for source, _, _ in graph.edges]
    targets = [split(target) for _, _, target in graph.edges]
    await test_sql.insert_graph(
        conn,
        workspace_id=workspace_id,
        node_types=[t for t, _ in graph.nodes],
        node_keys=[k for _, k in graph.nodes],
        node_properties=[{"n": i} for i in range(len(graph.nodes))],
        source_types=[t for t, _ in sources],
        source_keys=[k for _, k in sources],
        edge_types=[edge_type for _, edge_type, _ in graph.edges],
        target_types=[t for t, _ in targets],
        target_keys=[k for _, k in targets],
    )
