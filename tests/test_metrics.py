"""/metrics: requests by route template, latency, pool, rate-limited requests and query timeouts."""

from __future__ import annotations

import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from service.errors import EXCEPTION_HANDLERS, QueryTimeout
from service.metrics import Metrics
from service.middleware import RequestContextMiddleware
from service.observe import ObserveMiddleware
from service.settings import Settings
from tests.conftest import KeyFactory, bearer, client_for, running_app
from tests.helpers import assert_problem

QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded"


async def _scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _requests(route: str, method: str, status: int) -> tuple[str, frozenset[tuple[str, str]]]:
    labels = {"route": route, "method": method, "status": str(status)}
    return "skein_http_requests_total", frozenset(labels.items())


def _plain(name: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset()


async def test_metrics_are_prometheus_text_and_need_no_key(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE skein_http_requests_total counter" in response.text


async def test_requests_are_counted_by_route_template_method_and_status(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    public_id = uuid.uuid4().hex[:12]
    sample = _requests("/v1/api-keys/{id}", "DELETE", 404)
    before = (await _scrape(client)).get(sample, 0.0)
    assert_problem(await client.delete(f"/v1/api-keys/{public_id}", headers=auth), 404)
    after = await _scrape(client)
    assert after[sample] == before + 1
    assert not any(public_id in str(key) for key in after)


async def test_a_refused_key_is_counted_under_the_route_it_asked_for(client: httpx.AsyncClient) -> None:
    sample = _requests("/v1/api-keys", "GET", 401)
    before = (await _scrape(client)).get(sample, 0.0)
    assert_problem(await client.get("/v1/api-keys"), 401)
    assert (await _scrape(client))[sample] == before + 1


async def test_paths_no_route_matches_share_one_label(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    sample = _requests("unmatched", "GET", 404)
    before = (await _scrape(client)).get(sample, 0.0)
    for path in ("/no-such-route", "/v1/no-such-route"):
        assert_problem(await client.get(path, headers=auth), 404)
    assert (await _scrape(client))[sample] == before + 2


async def test_made_up_methods_share_one_label(client: httpx.AsyncClient) -> None:
    sample = _requests("/healthz", "OTHER", 405)
    before = (await _scrape(client)).get(sample, 0.0)
    assert_problem(await client.request("BREW", "/healthz"), 405)
    assert (await _scrape(client))[sample] == before + 1


async def test_latency_is_a_histogram_by_route_and_method(client: httpx.AsyncClient) -> None:
    labels = frozenset({"route": "/healthz", "method": "GET"}.items())
    count = ("skein_http_request_duration_seconds_count", labels)
    before = (await _scrape(client)).get(count, 0.0)
    await client.get("/healthz")
    after = await _scrape(client)
    assert after[count] == before + 1
    assert after[("skein_http_request_duration_seconds_bucket", labels | {("le", "+Inf")})] == after[count]


async def test_pool_gauges_read_the_pool_at_scrape_time(client: httpx.AsyncClient, app: Starlette) -> None:
    pool = app.state.pool
    async with pool.acquire():
        held = await _scrape(client)
        assert held[_plain("skein_db_pool_connections")] == pool.get_size()
        assert held[_plain("skein_db_pool_idle_connections")] == pool.get_idle_size()
    released = await _scrape(client)
    assert released[_plain("skein_db_pool_idle_connections")] == held[_plain("skein_db_pool_idle_connections")] + 1


async def test_rate_limited_requests_are_counted(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    key = await make_key(["admin"], rate_limit_per_minute=1)
    before = (await _scrape(client))[_plain("skein_rate_limited_requests_total")]
    assert (await client.get("/v1/api-keys", headers=bearer(key))).status_code == 200
    assert_problem(await client.get("/v1/api-keys", headers=bearer(key)), 429, QUOTA_EXCEEDED)
    assert (await _scrape(client))[_plain("skein_rate_limited_requests_total")] == before + 1


async def _time_out(request: Request) -> Response:
    raise QueryTimeout()


async def _fail(request: Request) -> Response:
    raise RuntimeError("a bug")


def _observed_app(metrics: Metrics) -> Starlette:
    return Starlette(
        routes=[Mount("/v1", routes=[Route("/query/slow", _time_out, methods=["POST"]), Route("/bug", _fail)])],
        middleware=[Middleware(RequestContextMiddleware), Middleware(ObserveMiddleware, metrics=metrics)],
        exception_handlers=EXCEPTION_HANDLERS,
    )


async def test_query_timeouts_are_counted() -> None:
    metrics = Metrics()
    async with client_for(_observed_app(metrics)) as client:
        assert_problem(await client.post("/v1/query/slow"), 422, "/problems/query-timeout")
    assert metrics.exposed.get_sample_value("skein_query_timeouts_total") == 1
    labels = {"route": "/v1/query/slow", "method": "POST", "status": "422"}
    assert metrics.exposed.get_sample_value("skein_http_requests_total", labels) == 1


async def test_an_unexpected_error_is_counted_as_the_500_it_becomes() -> None:
    metrics = Metrics()
    async with client_for(_observed_app(metrics), raise_app_exceptions=False) as client:
        assert (await client.get("/v1/bug")).status_code == 500
    labels = {"route": "/v1/bug", "method": "GET", "status": "500"}
    assert metrics.exposed.get_sample_value("skein_http_requests_total", labels) == 1


async def test_each_app_counts_in_its_own_registry(settings: Settings, client: httpx.AsyncClient) -> None:
    sample = _requests("/readyz", "GET", 200)
    await client.get("/readyz")
    mine = (await _scrape(client))[sample]
    async with running_app(settings) as other, client_for(other) as other_client:
        for _ in range(2):
            await other_client.get("/readyz")
        assert (await _scrape(other_client))[sample] == 2
    assert (await _scrape(client))[sample] == mine
