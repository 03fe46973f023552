"""Prometheus metrics: what each request adds, and ``GET /metrics`` to scrape them.

Each app has its own ``Metrics`` and registry, so apps in one process (the
tests make several) count apart. Under ``skein serve --workers N`` every
worker is a process of its own: prometheus_client then keeps each value in
files under ``PROMETHEUS_MULTIPROC_DIR``, which it reads when it is imported
(``skein serve`` sets it before any worker starts), and a scrape, whichever
worker answers it, adds up the files of every worker. In that mode there is
one app per process, as the files are keyed by process id.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.requests import Request
from starlette.responses import Response

from service.errors import QueryTimeout, RateLimited
from service.routing import operation, route

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self) -> None:
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_DIR) or None
        registry = CollectorRegistry()
        self.requests = Counter(
            "skein_http_requests",
            "Requests answered, by route template, method and status.",
            ("route", "method", "status"),
            registry=registry,
        )
        self.duration = Histogram(
            "skein_http_request_duration_seconds",
            "Seconds from a request's arrival to the end of its answer, by route template and method.",
            ("route", "method"),
            registry=registry,
        )
        self.rate_limited = Counter(
            "skein_rate_limited_requests",
            "Requests refused with 429 because their API key used up its rate limit.",
            registry=registry,
        )
        self.query_timeouts = Counter(
            "skein_query_timeouts",
            "Requests answered 422 because their database work ran past SKEIN_QUERY_TIMEOUT_MS.",
            registry=registry,
        )
        # "livesum": with several workers, the connections of the live ones added up.
        self.pool_size = Gauge(
            "skein_db_pool_connections",
            "Connections open in the database pool.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.pool_idle = Gauge(
            "skein_db_pool_idle_connections",
            "Open pool connections that no request holds.",
            multiprocess_mode="livesum",
            registry=registry,
        )
        self.exposed = registry
        if self.multiprocess_dir:
            self.exposed = CollectorRegistry()
            MultiProcessCollector(self.exposed, path=self.multiprocess_dir)

    def observe(self, route_template: str, method: str, status: int, seconds: float) -> None:
        # Labels come from a fixed set: a client's made-up method must not mint series.
        method = method if method in KNOWN_METHODS else "OTHER"
        self.requests.labels(route_template, method, str(status)).inc()
        self.duration.labels(route_template, method).observe(seconds)
        # The contract gives each of these statuses to exactly one problem.
        if status == RateLimited.status:
            self.rate_limited.inc()
        elif status == QueryTimeout.status:
            self.query_timeouts.inc()

    def read_pool(self, pool: Any) -> None:
        """Copy the pool's state into the gauges; with several workers, each one's files then hold its own."""
        if pool is not None:
            self.pool_size.set(pool.get_size())
            self.pool_idle.set(pool.get_idle_size())

    def process_stopped(self) -> None:
        """Drop this process's pool gauges from the sums once its pool is closed."""
        if self.multiprocess_dir:
            mark_process_dead(os.getpid(), self.multiprocess_dir)

    def exposition(self) -> bytes:
        return generate_latest(self.exposed)


@operation(
    summary="Prometheus metrics: requests, latency, pool connections, rate-limited requests, query timeouts. "
    "Unauthenticated: keep it off the public network",
    text="text/plain",
)
async def metrics_text(request: Request) -> Response:
    metrics: Metrics = request.app.state.metrics
    metrics.read_pool(getattr(request.app.state, "pool", None))
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


routes = [route("/metrics", GET=metrics_text)]
