"""Helpers for the graph data tests: paths for any key, and terse writes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

VALIDATION = "/problems/validation-error"


def node_path(node_type: str, key: str) -> str:
    return f"/v1/nodes/{quote(node_type, safe='')}/{quote(key, safe='')}"


async def put_node(
    client: httpx.AsyncClient, auth: dict[str, str], ref: str, properties: dict[str, Any] | None = None
) -> httpx.Response:
    node_type, _, key = ref.partition(":")
    response = await client.put(node_path(node_type, key), json={"properties": properties or {}}, headers=auth)
    assert response.status_code in (200, 201), response.text
    return response


async def put_edge(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    source: str,
    edge_type: str,
    target: str,
    properties: dict[str, Any] | None = None,
) -> httpx.Response:
    body = {"source": source, "type": edge_type, "target": target, "properties": properties or {}}
    response = await client.put("/v1/edges", json=body, headers=auth)
    assert response.status_code in (200, 201), response.text
    return response


async def all_pages(client: httpx.AsyncClient, auth: dict[str, str], path: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a paged list, following next_cursor to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=auth)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def errors_by_pointer(body: dict[str, Any]) -> dict[str, str]:
    return {error["pointer"]: error["detail"] for error in body["errors"]}
