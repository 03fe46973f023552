"""One ``Route`` per path with a handler per method, so a 405's ``Allow`` lists them all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, **handlers: Handler) -> Route:
    if "GET" in handlers:
        handlers.setdefault("HEAD", handlers["GET"])

    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    dispatch.__name__ = "_".join(handler.__name__ for handler in handlers.values())
    return Route(path, dispatch, methods=list(handlers))
