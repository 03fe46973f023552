"""Request and response models of the graph queries (``/v1/query/*``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from service.graph_models import Edge, Node
from service.models import RequestBody, ResponseBody
from service.refs import EdgeType, NodeType, Ref

Direction = Literal["out", "in", "both"]

# The greatest depth when the request is validated without the server's setting.
DEFAULT_MAX_DEPTH = 10


def _within_max_depth(value: int | None, info: ValidationInfo) -> int | None:
    maximum = (info.context or {}).get("max_depth", DEFAULT_MAX_DEPTH)
    if value is not None and value > maximum:
        raise PydanticCustomError("less_than_equal", "must be at most {le}", {"le": maximum})
    return value


class GraphQuery(RequestBody):
    direction: Direction = Field("out", description="out: source to target; in: target to source; both.")
    edge_types: Annotated[list[EdgeType], Field(max_length=100)] | None = Field(
        None, description="Follow only edges of these types; absent: every type."
    )
    node_types: Annotated[list[NodeType], Field(max_length=100)] | None = Field(
        None, description="Enter only nodes of these types; start, source and target nodes are never filtered out."
    )


class NeighborsQuery(GraphQuery):
    node: Ref
    limit: Annotated[int, Field(ge=1, le=1000)] = 100
    cursor: str | None = None


class TraverseQuery(GraphQuery):
    start: Annotated[
        Annotated[Ref, Tag("<one>")] | Annotated[list[Ref], Field(min_length=1, max_length=1000), Tag("<many>")],
        Discriminator(lambda value: "<many>" if isinstance(value, list) else "<one>"),
    ] = Field(description="A ref, or a list of refs: the start nodes, at depth 0.")
    depth: Annotated[int, Field(ge=0, description="At most SKEIN_MAX_DEPTH (default 10).")] = 3
    limit: Annotated[int, Field(ge=1, le=10000)] = 1000
    include_edges: bool = False

    _depth_within_max = field_validator("depth")(_within_max_depth)


class PathQuery(GraphQuery):
    source: Ref
    target: Ref
    max_depth: Annotated[int, Field(ge=1, description="At most SKEIN_MAX_DEPTH, which is also the default.")] | None = (
        None
    )

    _max_depth_within_max = field_validator("max_depth")(_within_max_depth)


class TraversedNode(Node):
    depth: int = Field(description="The fewest hops from a start node.")


class Neighbor(ResponseBody):
    node: Node
    edge: Edge


class NeighborPage(ResponseBody):
    items: list[Neighbor]
    next_cursor: str | None


class Traversal(ResponseBody):
    nodes: list[TraversedNode]
    edges: list[Edge]
    truncated: bool = Field(description="More nodes were reachable than limit; the first limit are returned.")


class Path(ResponseBody):
    length: int
    nodes: list[Node]
    edges: list[Edge]


class PathResult(ResponseBody):
    path: Path | None
