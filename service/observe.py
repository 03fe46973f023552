"""Every request, timed once: counted in the metrics and written as one access log line.

Pure ASGI, inside the request-id middleware (so the id is known) and outside
the exception handlers of the routes (so refusals by the key check are seen
with their status). An unexpected exception passes through here on its way to
Starlette's 500 handler and is recorded as the 500 it becomes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import ACCESS_LOGGER
from service.metrics import Metrics
from service.routing import path_template

access_log = logging.getLogger(ACCESS_LOGGER)

# The route label of a path no route matches: raw paths would mint a series each.
UNMATCHED = "unmatched"


def route_template(routes: Iterable[BaseRoute], scope: Scope, prefix: str = "") -> str | None:
    """The template of the route Starlette will pick for ``scope``, following its rules: the first full
    match wins, else the first partial one (a path whose method differs); a mount decides alone."""
    partial = None
    for item in routes:
        match, child_scope = item.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(item, Mount):
            if not item.routes:
                return path_template(prefix + item.path) + "/{path}"
            return route_template(item.routes, {**scope, **child_scope}, prefix + item.path)
        if match is Match.FULL:
            return path_template(prefix + getattr(item, "path", ""))
        partial = partial or path_template(prefix + getattr(item, "path", ""))
    return partial


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        template = route_template(scope["app"].routes, scope) or UNMATCHED
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.observe(template, scope["method"], status, seconds)
            self.metrics.read_pool(getattr(scope["app"].state, "pool", None))
            _log_access(scope, template, status, seconds)


def _log_access(scope: Scope, template: str, status: int, seconds: float) -> None:
    state: dict[str, Any] = scope.get("state", {})
    principal = state.get("principal")
    access_log.info(
        "%s %s %d %.1fms",
        scope["method"],
        template,
        status,
        seconds * 1000,
        extra={
            "request_id": state.get("request_id"),
            "method": scope["method"],
            "route": template,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "workspace_id": principal.workspace_id if principal else None,
            "key_prefix": principal.prefix if principal else None,
        },
    )
