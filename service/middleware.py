"""Pure ASGI middleware: request ids, extra response headers, the body size limit."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import ContentTooLarge

_CLIENT_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")


class RequestContextMiddleware:
    """Gives every request an id and every response its ``X-Request-ID``.

    Code further in adds headers for the answer to ``request.state.response_headers``
    (the rate-limit fields, say); they reach error answers too, because the
    exception handlers run inside this middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_id = Headers(scope=scope).get("x-request-id", "")
        request_id = sent_id if _CLIENT_REQUEST_ID.fullmatch(sent_id) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        extra_headers: dict[str, str] = {}
        state["response_headers"] = extra_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                for name, value in extra_headers.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimitMiddleware:
    """Refuses a body over ``max_bytes`` as it arrives, never reading it whole.

    The refusal is raised from ``receive``, inside the handler that reads the
    body, so the one exception mapping answers it with a 413 problem.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, unlimited_paths: frozenset[str]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.unlimited_paths = unlimited_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.unlimited_paths:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        declared_too_large = declared.isdigit() and int(declared) > self.max_bytes
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared_too_large:
                raise ContentTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise ContentTooLarge()
            return message

        await self.app(scope, limited_receive, send)
