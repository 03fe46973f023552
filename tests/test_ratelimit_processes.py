"""Two `skein serve` processes on one database enforce one limit per key."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from tests.conftest import KeyFactory, bearer
from tests.serving import skein_serve

pytestmark = pytest.mark.slow


async def test_two_server_processes_let_exactly_the_limit_through(
    database_url: str, make_key: KeyFactory, tmp_path: Path
) -> None:
    key = await make_key(rate_limit_per_minute=10)
    statuses: list[int] = []
    with (
        skein_serve(database_url, tmp_path / "first.log") as first,
        skein_serve(database_url, tmp_path / "second.log") as second,
    ):
        async with httpx.AsyncClient(headers=bearer(key), timeout=30) as client:

            async def one(url: str) -> None:
                statuses.append((await client.get(f"{url}/v1/api-keys")).status_code)

            async with anyio.create_task_group() as group:
                for i in range(40):
                    group.start_soon(one, (first.url, second.url)[i % 2])
    assert statuses.count(200) == 10
    assert statuses.count(429) == 30
