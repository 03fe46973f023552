"""Concurrent writers: deadlocks, serialization failures and vanished ends never reach clients as 5xx.

Every write runs in ``write_transaction``, which runs a transaction again
when PostgreSQL aborts it for a conflict. PostgreSQL rarely deadlocks Skein's
own statements (they take their row locks in key order), so one test builds
a deadlock deterministically with a rival transaction; the load test checks
that overlapping batches in shuffled orders all succeed and that the last
writes win. Rounds run one after another, so the last write of every node
and edge is well defined: the latest round that wrote it, by one of the
clients that wrote it in that round.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from service.repository import sql
from service.settings import Settings
from tests.graph import VALIDATION, all_pages, put_node
from tests.helpers import assert_problem, test_sql

CLIENTS = 8
ROUNDS = 20
NODES = [f"n:{i}" for i in range(24)]
EDGES = [(f"n:{i}", f"n:{(i * 7 + j) % 24}") for i in range(24) for j in (1, 2, 3)]
SCRATCH = [f"s:{i}" for i in range(32)]


def tmp_edge(ref: str) -> dict[str, str]:
    return {"source": ref, "type": "tmp", "target": NODES[int(ref[2:]) % len(NODES)]}


def round_batch(rng: random.Random, client: int, round_: int) -> dict[str, Any]:
    """Upserts of shared nodes and edges, and scratch nodes and edges made and deleted, in shuffled orders."""
    stamp = {"round": round_, "client": client}
    made = rng.sample(SCRATCH, 16)
    doomed = rng.sample(SCRATCH, 4)
    nodes = [{"type": "n", "key": ref[2:], "properties": stamp} for ref in rng.sample(NODES, 16)]
    nodes += [{"type": "s", "key": ref[2:]} for ref in made]
    rng.shuffle(nodes)
    edges = [{"source": s, "type": "e", "target": t, "properties": stamp} for s, t in rng.sample(EDGES, 40)]
    edges += [tmp_edge(ref) for ref in made]
    rng.shuffle(edges)
    delete_edges = [tmp_edge(ref) for ref in rng.sample(SCRATCH, 24)]
    return {"nodes": nodes, "edges": edges, "delete_edges": delete_edges, "delete_nodes": doomed}


def expected_stamps(batches: list[list[dict[str, Any]]]) -> dict[Any, tuple[int, set[int]]]:
    """For each shared node and edge: the last round that wrote it and the clients that did."""
    last: dict[Any, tuple[int, set[int]]] = {}
    for round_, round_batches in enumerate(batches):
        writers: dict[Any, set[int]] = defaultdict(set)
        for client, batch in enumerate(round_batches):
            for node in batch["nodes"]:
                if node["type"] == "n":
                    writers[f"n:{node['key']}"].add(client)
            for edge in batch["edges"]:
                if edge["type"] == "e":
                    writers[(edge["source"], edge["target"])].add(client)
        for item, clients in writers.items():
            last[item] = (round_, clients)
    return last


@pytest.mark.slow
async def test_overlapping_batches_never_see_a_conflict_and_the_last_writes_win(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for ref in NODES:
        await put_node(client, auth, ref)
    rng = random.Random(7)
    batches = [[round_batch(rng, c, r) for c in range(CLIENTS)] for r in range(ROUNDS)]
    statuses: list[tuple[int, str]] = []

    async def send(batch: dict[str, Any]) -> None:
        response = await client.post("/v1/batch", json=batch, headers=auth)
        statuses.append((response.status_code, response.text))

    for round_batches in batches:
        async with anyio.create_task_group() as group:
            for batch in round_batches:
                group.start_soon(send, batch)
    assert [answer for answer in statuses if answer[0] != 200] == []

    expected = expected_stamps(batches)
    nodes = {f"{n['type']}:{n['key']}": n["properties"] for n in await all_pages(client, auth, "/v1/nodes", type="n")}
    edges = {(e["source"], e["target"]): e["properties"] for e in await all_pages(client, auth, "/v1/edges", type="e")}
    assert set(nodes) == set(NODES)
    assert set(edges) == {item for item in expected if isinstance(item, tuple)}
    for item, (round_, clients) in expected.items():
        stamp = nodes[item] if isinstance(item, str) else edges[item]
        assert stamp["round"] == round_, item
        assert stamp["client"] in clients, item


async def test_single_writes_racing_on_one_node_and_edge_all_succeed(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    await put_node(client, auth, "n:a")
    await put_node(client, auth, "n:b")
    statuses: list[int] = []

    async def write(i: int) -> None:
        body = {"source": "n:a", "type": "e", "target": "n:b", "properties": {"i": i}}
        for response in (
            await client.put("/v1/nodes/n/a", json={"properties": {"i": i}}, headers=auth),
            await client.patch("/v1/nodes/n/b", json={"i": i}, headers=auth),
            await client.put("/v1/edges", json=body, headers=auth),
        ):
            statuses.append(response.status_code)

    async with anyio.create_task_group() as group:
        for i in range(20):
            group.start_soon(write, i)
    assert set(statuses) <= {200, 201}, statuses


@pytest.mark.slow
async def test_a_deadlocked_batch_is_run_again_and_succeeds(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, settings: Settings
) -> None:
    await put_node(client, auth, "n:a")
    await put_node(client, auth, "n:b")
    batch = {"nodes": [{"type": "n", "key": "b", "properties": {"by": "batch"}}], "delete_nodes": ["n:a"]}
    answer: list[httpx.Response] = []

    async def send() -> None:
        answer.append(await client.post("/v1/batch", json=batch, headers=auth))

    async with anyio.create_task_group() as group, app.state.pool.acquire() as rival, rival.transaction():
        await test_sql.delay_deadlock_check(rival, timeout="30s")
        await sql.upsert_node(rival, workspace_id=workspace, type="n", key="a", properties={"by": "rival"})
        group.start_soon(send)
        # The batch holds n:b and waits for n:a; taking n:b closes the cycle.
        await _wait_for_lock_waiter(app, _database(settings))
        await sql.upsert_node(rival, workspace_id=workspace, type="n", key="b", properties={"by": "rival"})
    assert answer[0].status_code == 200, answer[0].text
    assert answer[0].json()["nodes"] == {"created": 0, "updated": 1, "deleted": 1}
    assert [(n["key"], n["properties"]) for n in await all_pages(client, auth, "/v1/nodes")] == [("b", {"by": "batch"})]


def _database(settings: Settings) -> str:
    return urlsplit(settings.database_url or "").path.lstrip("/")


async def _wait_for_lock_waiter(app: Starlette, database: str) -> None:
    with anyio.fail_after(10):
        while True:
            async with app.state.pool.acquire() as conn:
                if await test_sql.count_lock_waits(conn, database=database):
                    return
            await anyio.sleep(0.01)


async def _race_a_node_deletion(app: Starlette, settings: Settings, workspace: int, request: Any) -> httpx.Response:
    """Delete ``n:gone`` in a transaction that commits only once ``request`` waits on its row lock.

    The request has read the node by then (it is still there for its
    snapshot); its foreign-key check then finds it gone.
    """
    answer: list[httpx.Response] = []

    async def run() -> None:
        answer.append(await request())

    async with anyio.create_task_group() as group, app.state.pool.acquire() as deleter, deleter.transaction():
        await sql.delete_node(deleter, workspace_id=workspace, type="n", key="gone")
        group.start_soon(run)
        await _wait_for_lock_waiter(app, _database(settings))
    return answer[0]


async def test_a_batch_edge_to_a_node_deleted_meanwhile_is_a_validation_problem_at_its_item(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, settings: Settings
) -> None:
    await put_node(client, auth, "n:here")
    await put_node(client, auth, "n:gone")
    batch = {"edges": [{"source": "n:here", "type": "e", "target": "n:gone"}]}

    async def request() -> httpx.Response:
        return await client.post("/v1/batch", json=batch, headers=auth)

    problem = assert_problem(await _race_a_node_deletion(app, settings, workspace, request), 400, VALIDATION)
    # Retried, the batch sees the node missing and says which item named it.
    assert [fault["pointer"] for fault in problem["errors"]] == ["#/edges/0/target"]
    assert await all_pages(client, auth, "/v1/edges") == []


async def test_an_import_edge_to_a_node_deleted_meanwhile_is_a_validation_problem(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, settings: Settings
) -> None:
    await put_node(client, auth, "n:here")
    await put_node(client, auth, "n:gone")
    body = b'{"node": {"type": "n", "key": "new"}}\n{"edge": {"source": "n:here", "type": "e", "target": "n:gone"}}\n'

    async def request() -> httpx.Response:
        headers = {**auth, "Content-Type": "application/x-ndjson"}
        return await client.post("/v1/import", content=body, headers=headers)

    assert_problem(await _race_a_node_deletion(app, settings, workspace, request), 400, VALIDATION)
    assert [n["key"] for n in await all_pages(client, auth, "/v1/nodes")] == ["here"]


async def test_a_single_edge_to_a_node_deleted_meanwhile_names_the_missing_end(
    app: Starlette, client: httpx.AsyncClient, auth: dict[str, str], workspace: int, settings: Settings
) -> None:
    await put_node(client, auth, "n:here")
    await put_node(client, auth, "n:gone")

    async def request() -> httpx.Response:
        body = {"source": "n:here", "type": "e", "target": "n:gone"}
        return await client.put("/v1/edges", json=body, headers=auth)

    problem = assert_problem(await _race_a_node_deletion(app, settings, workspace, request), 400, VALIDATION)
    assert [fault["pointer"] for fault in problem["errors"]] == ["#/target"]
