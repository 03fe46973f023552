"""200 trivial database tests: the cost of isolation is what they take beyond the baseline.

Run in file order (``-p no:randomly``): the first test opens the session's
database, app and pool, the last one's teardown closes them, and neither is
timed.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from service.repository import sql

TESTS = 200


def test_warm_up(app: Starlette, shared_workspace: int) -> None:
    assert app.state.pool is not None


@pytest.mark.parametrize("n", range(TESTS))
async def test_node_round_trip(app: Starlette, bench_workspace: int, n: int) -> None:
    key = f"node-{n}"
    async with app.state.pool.acquire() as conn:
        await sql.upsert_node(conn, workspace_id=bench_workspace, type="bench", key=key, properties={"n": n})
        node = await sql.get_node(conn, workspace_id=bench_workspace, type="bench", key=key)
    assert node["properties"] == {"n": n}


def test_cool_down() -> None:
    """Last in the file: the session fixtures are torn down after it, outside the timed tests."""
