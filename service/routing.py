"""Routes and what they document: one ``Route`` per path, a handler per method.

Each handler carries an ``Operation``: the pydantic models it reads and
answers with. The same models validate requests and shape responses, and
the OpenAPI document is generated from them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.errors import ValidationFailed

Handler = Callable[[Request], Awaitable[Response]]
HandlerT = TypeVar("HandlerT", bound=Handler)


@dataclasses.dataclass(frozen=True)
class Operation:
    summary: str
    # The API-key scope the route needs; None for the unauthenticated routes.
    scope: str | None = None
    body: type[BaseModel] | None = None
    body_media_types: tuple[str, ...] = ("application/json",)
    query: type[BaseModel] | None = None
    # Status to the model of the answer's body; None for an empty body (204).
    responses: Mapping[int, type[BaseModel] | None] = dataclasses.field(default_factory=lambda: {200: None})
    # The media type of a text answer (an HTML page, Prometheus text): its
    # success responses carry that text, which no model describes.
    text: str | None = None
    # Error statuses this route answers beyond those every route may answer.
    problems: tuple[int, ...] = ()


def operation(**details: Any) -> Callable[[HandlerT], HandlerT]:
    """Attach an ``Operation`` to a handler."""

    def attach(handler: HandlerT) -> HandlerT:
        handler.operation = Operation(**details)  # type: ignore[attr-defined]
        return handler

    return attach


class MethodRoute(Route):
    """A ``Route`` whose 405 ``Allow`` lists every method of its path."""

    def __init__(self, path: str, handlers: dict[str, Handler]) -> None:
        self.handlers = dict(handlers)
        if "GET" in handlers:
            handlers.setdefault("HEAD", handlers["GET"])

        async def dispatch(request: Request) -> Response:
            handler = handlers[request.method]
            details: Operation | None = getattr(handler, "operation", None)
            # A /v1 route without query parameters refuses them too: a stray one is a typo.
            if details is not None and details.scope is not None and details.query is None and request.query_params:
                raise ValidationFailed(
                    [{"detail": "unknown member", "parameter": name} for name in dict.fromkeys(request.query_params)]
                )
            return await handler(request)

        dispatch.__name__ = "_".join(handler.__name__ for handler in self.handlers.values())
        super().__init__(path, dispatch, methods=list(handlers))


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def path_template(path: str) -> str:
    """A route's path as clients and dashboards see it: ``/nodes/{type}/{key:path}`` is ``/nodes/{type}/{key}``."""
    return _CONVERTOR.sub(r"{\1}", path)


def route(path: str, **handlers: Handler) -> MethodRoute:
    return MethodRoute(path, handlers)


def respond(model: BaseModel, status_code: int = 200) -> Response:
    """A JSON answer serialised by the response model itself."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def respond_rendered(json_text: str, status_code: int = 200) -> Response:
    """A JSON answer that PostgreSQL rendered; its shape is still the documented model's."""
    return Response(json_text.encode(), status_code=status_code, media_type="application/json")
