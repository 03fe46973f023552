"""Token buckets in PostgreSQL: exact under concurrency, across pools, refilled by time."""

from __future__ import annotations

import anyio
import httpx
from starlette.applications import Starlette

from service.ratelimit import rate_limit_fields
from service.settings import Settings
from tests.conftest import KeyFactory, bearer, client_for, running_app
from tests.helpers import assert_problem, public_id_of, test_sql

QUOTA = "https://iana.org/assignments/http-problem-types#quota-exceeded"


async def _get(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.get("/v1/api-keys", headers=bearer(key))


async def test_the_kth_request_of_a_fresh_key_shows_n_minus_k(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    key = await make_key(rate_limit_per_minute=5)
    for k in range(1, 6):
        response = await _get(client, key)
        assert response.status_code == 200
        assert response.headers["ratelimit-policy"] == '"default";q=5;w=60'
        wait = 0 if k < 5 else 12
        assert response.headers["ratelimit"] == f'"default";r={5 - k};t={wait}'


async def test_a_key_over_its_limit_answers_429_quota_exceeded(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    key = await make_key(rate_limit_per_minute=2)
    await _get(client, key)
    await _get(client, key)
    response = await _get(client, key)
    body = assert_problem(response, 429, QUOTA)
    assert body["violated-policies"] == ["default"]
    assert response.headers["retry-after"] == "30"
    assert response.headers["ratelimit"] == '"default";r=0;t=30'


async def test_the_default_limit_is_the_server_setting(
    client: httpx.AsyncClient, auth: dict[str, str], settings: Settings
) -> None:
    response = await client.get("/v1/api-keys", headers=auth)
    assert response.headers["ratelimit-policy"] == f'"default";q={settings.rate_limit};w=60'


async def test_a_refused_request_does_not_spend_and_time_refills(
    app: Starlette, client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(rate_limit_per_minute=6)
    for _ in range(6):
        await _get(client, key)
    for _ in range(3):
        assert (await _get(client, key)).status_code == 429
    async with app.state.pool.acquire() as conn:
        # 10 s at 6 a minute is one token; the three refusals took none.
        await test_sql.rewind_bucket(conn, seconds=10.0, public_id=public_id_of(key))
    allowed = await _get(client, key)
    assert allowed.status_code == 200
    assert allowed.headers["ratelimit"].startswith('"default";r=0;')
    assert (await _get(client, key)).status_code == 429


async def test_a_bucket_refills_no_higher_than_its_capacity(
    app: Starlette, client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(rate_limit_per_minute=3)
    await _get(client, key)
    async with app.state.pool.acquire() as conn:
        await test_sql.rewind_bucket(conn, seconds=3600.0, public_id=public_id_of(key))
    assert (await _get(client, key)).headers["ratelimit"] == '"default";r=2;t=0'


async def _burst(clients: list[httpx.AsyncClient], key: str, total: int) -> list[int]:
    statuses: list[int] = []

    async def one(client: httpx.AsyncClient) -> None:
        statuses.append((await _get(client, key)).status_code)

    async with anyio.create_task_group() as group:
        for i in range(total):
            group.start_soon(one, clients[i % len(clients)])
    return statuses


async def test_forty_concurrent_requests_on_a_limit_of_ten_let_exactly_ten_through(
    client: httpx.AsyncClient, make_key: KeyFactory
) -> None:
    key = await make_key(rate_limit_per_minute=10)
    statuses = await _burst([client], key, 40)
    assert statuses.count(200) == 10
    assert statuses.count(429) == 30


async def test_two_app_instances_on_one_database_enforce_one_limit(
    client: httpx.AsyncClient, settings: Settings, make_key: KeyFactory
) -> None:
    key = await make_key(rate_limit_per_minute=10)
    async with running_app(settings) as second_app, client_for(second_app) as second_client:
        statuses = await _burst([client, second_client], key, 40)
    assert statuses.count(200) == 10
    assert statuses.count(429) == 30


def test_fields_round_the_wait_up_to_whole_seconds() -> None:
    headers, wait = rate_limit_fields(capacity=7, tokens=0.5)
    assert wait == 5  # half a token at 7 a minute is 4.3 s
    assert headers["RateLimit"] == '"default";r=0;t=5'
