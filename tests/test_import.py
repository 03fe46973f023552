"""POST /v1/import: NDJSON streamed into COPY, merged in one transaction, bad lines named by number."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect
from starlette.types import Message

from service import imports
from service.settings import Settings
from tests.conftest import client_for, running_app
from tests.graph import VALIDATION, all_pages, put_edge, put_node
from tests.helpers import assert_problem, test_sql

NDJSON = "application/x-ndjson"


def _ndjson(*lines: dict[str, Any] | str) -> bytes:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines).encode()


def node(ref: str, **properties: Any) -> dict[str, Any]:
    node_type, _, key = ref.partition(":")
    return {"node": {"type": node_type, "key": key, "properties": properties}}


def edge(source: str, edge_type: str, target: str, **properties: Any) -> dict[str, Any]:
    return {"edge": {"source": source, "type": edge_type, "target": target, "properties": properties}}


async def _import(client: httpx.AsyncClient, auth: dict[str, str], content: Any) -> httpx.Response:
    return await client.post("/v1/import", content=content, headers={**auth, "Content-Type": NDJSON})


async def _imported(client: httpx.AsyncClient, auth: dict[str, str], content: Any) -> dict[str, Any]:
    response = await _import(client, auth, content)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _graph(app: Starlette, workspace: int) -> str:
    async with app.state.pool.acquire() as conn:
        text: str = await test_sql.workspace_graph(conn, workspace_id=workspace)
    return text


async def test_import_loads_nodes_and_edges_naming_nodes_of_any_line(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = _ndjson(
        edge("svc:a", "calls", "svc:b", w=1), node("svc:a", n=1), node("svc:b"), edge("svc:b", "calls", "svc:a")
    )
    result = await _imported(client, auth, body)
    assert result == {"nodes": {"created": 2, "updated": 0}, "edges": {"created": 2, "updated": 0}}
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"n": 1}
    edges = await all_pages(client, auth, "/v1/edges")
    assert [(e["source"], e["target"], e["properties"]) for e in edges] == [
        ("svc:a", "svc:b", {"w": 1}),
        ("svc:b", "svc:a", {}),
    ]


async def test_import_counts_existing_nodes_and_edges_as_updated(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await put_node(client, auth, "svc:a", {"old": True})
    await put_node(client, auth, "svc:b")
    await put_edge(client, auth, "svc:a", "calls", "svc:b", {"old": True})
    body = _ndjson(
        node("svc:a", new=True), node("svc:c"), edge("svc:a", "calls", "svc:b"), edge("svc:c", "calls", "svc:a")
    )
    result = await _imported(client, auth, body)
    assert result == {"nodes": {"created": 1, "updated": 1}, "edges": {"created": 1, "updated": 1}}
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"new": True}
    listed = await all_pages(client, auth, "/v1/edges", source="svc:a")
    assert listed[0]["properties"] == {}


async def test_the_later_of_two_duplicate_lines_wins_and_counts_once(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = _ndjson(
        node("svc:a", v=1),
        edge("svc:a", "loops", "svc:a", v=1),
        node("svc:a", v=2),
        edge("svc:a", "loops", "svc:a", v=2),
    )
    result = await _imported(client, auth, body)
    assert result == {"nodes": {"created": 1, "updated": 0}, "edges": {"created": 1, "updated": 0}}
    assert (await client.get("/v1/nodes/svc/a", headers=auth)).json()["properties"] == {"v": 2}
    assert (await all_pages(client, auth, "/v1/edges"))[0]["properties"] == {"v": 2}


async def test_blank_lines_crlf_and_a_last_line_without_newline_are_read(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = b'\n{"node": {"type": "a", "key": "1"}}\r\n   \n{"node": {"type": "a", "key": "2"}}'
    assert (await _imported(client, auth, body))["nodes"]["created"] == 2


async def test_an_empty_import_counts_nothing(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    zero = {"created": 0, "updated": 0}
    assert await _imported(client, auth, b"") == {"nodes": zero, "edges": zero}


async def test_lines_split_across_chunks_are_joined_and_numbered(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = _ndjson(node("svc:a"), node("svc:b"), edge("svc:a", "calls", "svc:b"), "{oops")

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 7):
            yield body[start : start + 7]

    problem = assert_problem(await _import(client, auth, chunks()), 400, VALIDATION)
    assert [fault["line"] for fault in problem["errors"]] == [4]


@pytest.mark.parametrize(
    ("line", "pointer"),
    [
        ("{not json", "#"),
        ("[]", "#"),
        ("{}", "#"),
        (json.dumps({**node("svc:x"), **edge("svc:x", "e", "svc:x")}), "#"),
        (json.dumps({"nodes": {"type": "svc", "key": "x"}}), "#/nodes"),
        (json.dumps({"node": {"type": "1svc", "key": "x"}}), "#/node/type"),
        (json.dumps({"node": {"type": "svc", "key": "x", "colour": "red"}}), "#/node/colour"),
        (json.dumps({"node": {"type": "svc", "key": "x", "properties": {"a": "\u0000"}}}), "#/node/properties"),
        (json.dumps({"edge": {"source": "svc:a", "type": "e", "target": "svc"}}), "#/edge/target"),
        (
            json.dumps({"edge": {"source": "svc:a", "type": "e", "target": "svc:b", "properties": 1}}),
            "#/edge/properties",
        ),
        (json.dumps({"edge": {"source": "svc:a", "target": "svc:b"}}), "#/edge/type"),
        (json.dumps({"edge": {"source": "svc:a", "type": "e", "target": "svc:nowhere"}}), "#/edge/target"),
    ],
)
async def test_a_bad_line_answers_400_with_its_number_and_nothing_is_written(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, line: str, pointer: str
) -> None:
    await put_node(client, auth, "svc:a", {"v": 1})
    before = await _graph(app, workspace)
    body = _ndjson(node("svc:a", v=2), node("svc:b"), edge("svc:a", "e", "svc:b"), line, node("svc:c"))
    problem = assert_problem(await _import(client, auth, body), 400, VALIDATION)
    assert [(fault["line"], fault["pointer"]) for fault in problem["errors"]] == [(4, pointer)]
    assert await _graph(app, workspace) == before


async def test_every_bad_line_is_listed_in_line_order(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = _ndjson(
        edge("svc:a", "e", "svc:ghost"),
        node("svc:a"),
        "nope",
        edge("svc:ghost", "e", "svc:spook"),
        node("svc:b", n=float("nan")),
    )
    problem = assert_problem(await _import(client, auth, body), 400, VALIDATION)
    assert [(fault["line"], fault["pointer"]) for fault in problem["errors"]] == [
        (1, "#/edge/target"),
        (3, "#"),
        (4, "#/edge/source"),
        (4, "#/edge/target"),
        (5, "#/node/properties"),
    ]


async def test_errors_stop_at_the_first_100_bad_lines(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    problem = assert_problem(await _import(client, auth, _ndjson(*["x"] * 250)), 400, VALIDATION)
    assert [fault["line"] for fault in problem["errors"]] == list(range(1, 101))


async def test_a_content_type_other_than_ndjson_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/import", content=_ndjson(node("a:1")), headers=auth | {"Content-Type": "application/json"}
    )
    assert_problem(response, 415)


async def test_an_ndjson_content_type_with_parameters_is_accepted(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "Content-Type": "application/x-ndjson; charset=utf-8"}
    assert (await client.post("/v1/import", content=_ndjson(node("a:1")), headers=headers)).status_code == 200


@pytest.fixture
async def small_limit_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings.replace(max_body_bytes=200)) as app, client_for(app) as client:
        yield client


async def test_an_import_is_not_bound_by_the_body_size_limit(
    small_limit_client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = _ndjson(*[node(f"svc:{i}") for i in range(100)])
    assert len(body) > 200
    assert (await _imported(small_limit_client, auth, body))["nodes"]["created"] == 100


async def test_a_line_longer_than_the_body_size_limit_is_a_bad_line(
    small_limit_client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    body = _ndjson(node("svc:a"), node("svc:b", text="x" * 300), node("svc:c"))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 50):
            yield body[start : start + 50]

    for content in (body, chunks()):
        problem = assert_problem(await _import(small_limit_client, auth, content), 400, VALIDATION)
        assert [fault["line"] for fault in problem["errors"]] == [2]


@pytest.fixture
def tiny_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of two lines, so that a short import crosses many batch boundaries."""
    monkeypatch.setattr(imports, "BATCH_LINES", 2)


async def test_edges_before_their_nodes_wait_for_later_batches(
    client: httpx.AsyncClient, auth: dict[str, str], tiny_batches: None
) -> None:
    body = _ndjson(
        edge("svc:a", "calls", "svc:b", w=1),
        edge("svc:b", "calls", "svc:c"),
        node("svc:a"),
        node("svc:b"),
        edge("svc:a", "calls", "svc:a"),
        node("svc:c"),
    )
    result = await _imported(client, auth, body)
    assert result == {"nodes": {"created": 3, "updated": 0}, "edges": {"created": 3, "updated": 0}}
    edges = await all_pages(client, auth, "/v1/edges")
    assert [(e["source"], e["target"], e["properties"]) for e in edges] == [
        ("svc:a", "svc:a", {}),
        ("svc:a", "svc:b", {"w": 1}),
        ("svc:b", "svc:c", {}),
    ]


async def test_a_later_written_line_wins_over_an_earlier_waiting_one(
    client: httpx.AsyncClient, auth: dict[str, str], tiny_batches: None
) -> None:
    body = _ndjson(
        edge("svc:a", "calls", "svc:b", v=1),
        node("svc:x"),
        node("svc:a"),
        node("svc:b"),
        edge("svc:a", "calls", "svc:b", v=2),
    )
    result = await _imported(client, auth, body)
    assert result["edges"] == {"created": 1, "updated": 0}
    assert (await all_pages(client, auth, "/v1/edges"))[0]["properties"] == {"v": 2}


async def test_rows_on_lines_of_several_batches_count_once(
    client: httpx.AsyncClient, auth: dict[str, str], tiny_batches: None
) -> None:
    await put_node(client, auth, "svc:old")
    await put_edge(client, auth, "svc:old", "calls", "svc:old")
    body = _ndjson(
        node("svc:old", v=1),
        node("svc:new", v=1),
        edge("svc:old", "calls", "svc:old", v=1),
        edge("svc:new", "calls", "svc:old", v=1),
        node("svc:old", v=2),
        node("svc:new", v=2),
        edge("svc:old", "calls", "svc:old", v=2),
        edge("svc:new", "calls", "svc:old", v=2),
    )
    result = await _imported(client, auth, body)
    assert result == {"nodes": {"created": 1, "updated": 1}, "edges": {"created": 1, "updated": 1}}
    nodes = await all_pages(client, auth, "/v1/nodes")
    edges = await all_pages(client, auth, "/v1/edges")
    assert [item["properties"] for item in nodes + edges] == [{"v": 2}] * 4


async def test_a_bad_line_after_merged_batches_writes_nothing(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, tiny_batches: None
) -> None:
    await put_node(client, auth, "svc:a", {"v": 1})
    before = await _graph(app, workspace)
    body = _ndjson(node("svc:a", v=2), node("svc:b"), edge("svc:a", "e", "svc:b"), node("svc:c"), node("svc:d"), "x")
    problem = assert_problem(await _import(client, auth, body), 400, VALIDATION)
    assert [fault["line"] for fault in problem["errors"]] == [6]
    assert await _graph(app, workspace) == before


async def test_an_end_missing_after_every_batch_is_a_bad_line(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, tiny_batches: None
) -> None:
    body = _ndjson(
        edge("svc:a", "e", "svc:b"),
        edge("svc:a", "e", "svc:ghost"),
        node("svc:a"),
        node("svc:b"),
        edge("svc:ghost", "e", "svc:b"),
    )
    problem = assert_problem(await _import(client, auth, body), 400, VALIDATION)
    assert [(fault["line"], fault["pointer"]) for fault in problem["errors"]] == [
        (2, "#/edge/target"),
        (5, "#/edge/source"),
    ]
    assert await _graph(app, workspace) == ""


async def test_an_import_cut_off_mid_stream_writes_nothing(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, tiny_batches: None
) -> None:
    chunks = [_ndjson(node(f"svc:{i}")) for i in range(9)]
    messages: list[Message] = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages.append({"type": "http.disconnect"})

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        pass

    headers = [(name.lower().encode(), value.encode()) for name, value in {**auth, "Content-Type": NDJSON}.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/import",
        "raw_path": b"/v1/import",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("skein.test", 80),
    }
    with pytest.raises(ClientDisconnect):
        await app(scope, receive, send)
    assert await _graph(app, workspace) == ""
    assert (await _imported(client, auth, _ndjson(node("svc:after"))))["nodes"]["created"] == 1
