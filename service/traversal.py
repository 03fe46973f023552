"""Shortest paths: a breadth-first search from both ends, level by level.

Each level is one statement (``expand_frontier``) over the whole frontier,
and the search always grows the smaller frontier. It stops at the first
level where the two searches meet, which is the shortest length.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from service.repository import sql

# direction -> (follow edges source to target, follow edges target to source)
DIRECTIONS = {"out": (True, False), "in": (False, True), "both": (True, True)}

EdgeId = tuple[int, str, int]


@dataclasses.dataclass
class _Search:
    """One end's search: how each visited node was reached, and at what depth."""

    outgoing: bool
    incoming: bool
    frontier: list[int]
    depth: int = 0
    # node -> (the node it was reached from, the joining edge, its depth); None for the root
    reached: dict[int, tuple[int, EdgeId, int] | None] = dataclasses.field(default_factory=dict)

    def depth_of(self, node: int) -> int:
        hop = self.reached[node]
        return 0 if hop is None else hop[2]

    def chain(self, node: int) -> tuple[list[int], list[EdgeId]]:
        """Nodes and edges from ``node`` back to this search's root."""
        nodes, edges = [node], []
        while (hop := self.reached[node]) is not None:
            node, edge, _ = hop
            nodes.append(node)
            edges.append(edge)
        return nodes, edges


@dataclasses.dataclass(frozen=True)
class FoundPath:
    nodes: list[int]
    edges: list[EdgeId]


async def shortest_path(
    db: Any,
    source: int,
    target: int,
    *,
    direction: str,
    edge_types: Sequence[str] | None,
    node_types: Sequence[str] | None,
    max_depth: int,
) -> FoundPath | None:
    if source == target:
        return FoundPath(nodes=[source], edges=[])
    outgoing, incoming = DIRECTIONS[direction]
    forward = _Search(outgoing, incoming, [source], reached={source: None})
    # From the target, edges are followed against the asked direction.
    backward = _Search(incoming, outgoing, [target], reached={target: None})
    while forward.frontier and backward.frontier and forward.depth + backward.depth < max_depth:
        grown, other = (forward, backward) if len(forward.frontier) <= len(backward.frontier) else (backward, forward)
        rows = await sql.expand_frontier(
            db,
            frontier=grown.frontier,
            outgoing=grown.outgoing,
            incoming=grown.incoming,
            edge_types=edge_types,
            node_types=node_types,
            always_allowed=[source, target],
        )
        grown.depth += 1
        grown.frontier = []
        for row in rows:
            node = row["node_id"]
            if node not in grown.reached:
                edge = (row["edge_source_id"], row["edge_type"], row["edge_target_id"])
                grown.reached[node] = (row["parent_id"], edge, grown.depth)
                grown.frontier.append(node)
        meetings = [node for node in grown.frontier if node in other.reached]
        if meetings:
            meeting = min(meetings, key=other.depth_of)
            to_source, source_edges = forward.chain(meeting)
            to_target, target_edges = backward.chain(meeting)
            return FoundPath(nodes=to_source[::-1] + to_target[1:], edges=source_edges[::-1] + target_edges)
    return None
