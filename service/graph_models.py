"""Nodes, edges, batches and imports: the rules of the contract, and the models that apply them.

The rules of refs, types and keys are in ``service.refs``; those of
properties (``check_properties``) are here. Each rule is one function, so
that bodies, path segments, query parameters and import lines all reject the
same input with the same words.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BeforeValidator, Field, Json, RootModel, model_validator

from service.models import PageQuery, QueryString, RequestBody, ResponseBody, Timestamp
from service.refs import EdgeType, NodeKey, NodeType, Ref, ref_of

MAX_PROPERTIES_BYTES = 64 * 1024
MAX_PROPERTIES_DEPTH = 32
MAX_BATCH_ITEMS = 10_000


def _must_be_object(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


# One encoder for every call: json.dumps with options builds a new one each time.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def compact_json(value: Any) -> str:
    """The form the size limit is measured in; rejects NaN and infinities, which JSON has not."""
    try:
        return _COMPACT.encode(value)
    except ValueError:
        raise ValueError("numbers must be finite") from None


def check_properties(value: dict[str, Any]) -> dict[str, Any]:
    text = compact_json(value)
    # Four bytes per character is UTF-8's worst case: most values skip the encode.
    if len(text) * 4 > MAX_PROPERTIES_BYTES and len(text.encode()) > MAX_PROPERTIES_BYTES:
        raise ValueError(f"must be at most {MAX_PROPERTIES_BYTES} bytes as compact UTF-8 JSON")
    # Every level opens with a bracket, so few brackets means shallow enough.
    if text.count("{") + text.count("[") > MAX_PROPERTIES_DEPTH and _depth(value) > MAX_PROPERTIES_DEPTH:
        raise ValueError(f"must nest at most {MAX_PROPERTIES_DEPTH} levels")
    if "\\u0000" in text and _holds_nul(value):
        raise ValueError("must not contain the character U+0000, which PostgreSQL's jsonb cannot store")
    return value


def _depth(value: Any) -> int:
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _holds_nul(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


Properties = Annotated[
    dict[str, Any],
    BeforeValidator(_must_be_object),
    AfterValidator(check_properties),
    Field(
        description=(
            f"A JSON object of at most {MAX_PROPERTIES_BYTES} bytes as compact UTF-8 JSON, "
            f"nesting at most {MAX_PROPERTIES_DEPTH} levels (the object itself is level 1)."
        )
    ),
]


class NodeWrite(RequestBody):
    """The body of ``PUT /v1/nodes/{type}/{key}``: the node's whole new properties."""

    properties: Properties = {}


class NodePatch(RootModel[Annotated[dict[str, Any], BeforeValidator(_must_be_object)]]):
    """A JSON Merge Patch (RFC 7396) of the node's properties: a null member deletes that member."""


class BatchNode(RequestBody):
    type: NodeType
    key: NodeKey
    properties: Properties = {}


class EdgeWrite(RequestBody):
    source: Ref
    type: EdgeType
    target: Ref
    properties: Properties = {}


class EdgeKey(RequestBody):
    source: Ref
    type: EdgeType
    target: Ref


class Batch(RequestBody):
    nodes: list[BatchNode] = []
    edges: list[EdgeWrite] = []
    delete_edges: list[EdgeKey] = []
    delete_nodes: list[Ref] = []

    @model_validator(mode="after")
    def _at_most_max_items(self) -> Self:
        total = len(self.nodes) + len(self.edges) + len(self.delete_edges) + len(self.delete_nodes)
        if total > MAX_BATCH_ITEMS:
            raise ValueError(
                f"a batch holds at most {MAX_BATCH_ITEMS} items across its four lists; this one has {total}"
            )
        return self


class ImportLine(RequestBody):
    """One line of an import: exactly one of ``node`` and ``edge``."""

    node: BatchNode | None = None
    edge: EdgeWrite | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.node is None) == (self.edge is None):
            raise ValueError('a line holds exactly one of "node" and "edge"')
        return self


class NodeListQuery(PageQuery):
    type: NodeType | None = None
    match: (
        Annotated[
            Json[Properties],
            Field(description="A JSON object that the node's properties must contain (PostgreSQL @>)."),
        ]
        | None
    ) = None


class EdgeListQuery(PageQuery):
    source: Ref | None = None
    type: EdgeType | None = None
    target: Ref | None = None


class EdgeDeleteQuery(QueryString):
    source: Ref
    type: EdgeType
    target: Ref


class Node(ResponseBody):
    type: str
    key: str
    ref: str
    properties: dict[str, Any]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of_row(cls, row: Any, prefix: str = "") -> Node:
        """A node from a row's columns; ``prefix`` names them where a row holds more than the node."""
        node_type, key = row[f"{prefix}type"], row[f"{prefix}key"]
        return cls(
            type=node_type,
            key=key,
            ref=ref_of(node_type, key),
            properties=row[f"{prefix}properties"],
            created_at=row[f"{prefix}created_at"],
            updated_at=row[f"{prefix}updated_at"],
        )


class Edge(ResponseBody):
    source: str
    type: str
    target: str
    properties: dict[str, Any]
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of_row(cls, row: Any) -> Edge:
        return cls(
            source=ref_of(row["source_type"], row["source_key"]),
            type=row["type"],
            target=ref_of(row["target_type"], row["target_key"]),
            properties=row["properties"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


class NodePage(ResponseBody):
    items: list[Node]
    next_cursor: str | None


class EdgePage(ResponseBody):
    items: list[Edge]
    next_cursor: str | None


class WriteCounts(ResponseBody):
    created: int
    updated: int
    deleted: int


class BatchResult(ResponseBody):
    nodes: WriteCounts
    edges: WriteCounts


class UpsertCounts(ResponseBody):
    created: int
    updated: int


class ImportResult(ResponseBody):
    nodes: UpsertCounts
    edges: UpsertCounts
