"""Every error answer is an RFC 9457 problem; this module is the one place that builds them.

Handlers raise a ``Problem`` subclass (or let a database error through); the
exception handlers registered by ``create_app`` turn it into a response.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, ClassVar

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

logger = logging.getLogger("skein.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
QUOTA_EXCEEDED = "https://iana.org/assignments/http-problem-types#quota-exceeded"


class Problem(Exception):
    """An error answer: status, type and title are class attributes of each kind."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "about:blank"
    title: ClassVar[str] = "Internal Server Error"
    default_detail: ClassVar[str] = "The server could not answer this request."

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        self.detail = detail or self.default_detail
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(self.detail)


class ValidationFailed(Problem):
    status = 400
    type = "/problems/validation-error"
    title = "Validation failed"
    default_detail = "The request is not valid; see errors."

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None) -> None:
        super().__init__(detail, errors=errors[:100])


class UnstorableText(ValidationFailed):
    """Text holding U+0000, which PostgreSQL's text and jsonb cannot store, wherever in the request it came."""

    def __init__(self) -> None:
        # Caught from PostgreSQL, which does not say where: the whole request is the place.
        super().__init__([{"detail": "must not contain U+0000 (NUL), which PostgreSQL cannot store", "pointer": "#"}])


class VanishedNode(ValidationFailed):
    """A node an edge named was deleted by a concurrent request between reading it and writing the edge."""

    def __init__(self) -> None:
        super().__init__(
            [{"detail": "an edge names a node that a concurrent request deleted", "pointer": "#"}],
            detail="A node was deleted while this request wrote edges to it; nothing was written.",
        )


class Unauthorized(Problem):
    status = 401
    title = "Unauthorized"
    default_detail = "A valid API key is required."

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": "Bearer"})


class Forbidden(Problem):
    status = 403
    title = "Forbidden"
    default_detail = "The API key lacks the scope this route needs."


class NotFound(Problem):
    status = 404
    title = "Not Found"
    default_detail = "No such resource."


class ContentTooLarge(Problem):
    status = 413
    title = "Content Too Large"
    default_detail = "The request body is larger than this server accepts."


class UnsupportedMediaType(Problem):
    status = 415
    title = "Unsupported Media Type"
    default_detail = "The request body must be application/json."


class QueryTimeout(Problem):
    status = 422
    type = "/problems/query-timeout"
    title = "Query timeout"
    default_detail = "The query ran past the time allowed and was cancelled."


class RateLimited(Problem):
    status = 429
    type = QUOTA_EXCEEDED
    title = "Request quota exceeded"
    default_detail = "This API key has used up its rate limit."

    def __init__(self, retry_after: int, headers: dict[str, str]) -> None:
        super().__init__(
            headers={**headers, "Retry-After": str(retry_after)},
            **{"violated-policies": ["default"]},
        )


class Unavailable(Problem):
    status = 503
    type = "/problems/unavailable"
    title = "Service unavailable"
    default_detail = "The database cannot be reached; try again shortly."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "1"})


class PoolTimeout(Unavailable):
    default_detail = "No database connection freed up in time; try again shortly."


class WriteConflict(Unavailable):
    default_detail = "Concurrent writes to the same data kept conflicting; try again shortly."


class InternalError(Problem):
    pass


# Database errors by sqlstate class (first two characters) or whole code.
# Anything not listed is our bug: 500, logged, never shown.
_SQLSTATE_PROBLEMS: dict[str, type[Problem]] = {
    "57014": QueryTimeout,  # query_canceled: statement_timeout or our cancel
    "22021": UnstorableText,  # character_not_in_repertoire: a NUL in a text parameter
    "22P05": UnstorableText,  # untranslatable_character: \u0000 in a jsonb value
    "23503": VanishedNode,  # foreign_key_violation: an edge's end deleted concurrently
    "40P01": WriteConflict,  # deadlock_detected, still after write_transaction's retries
    "40001": WriteConflict,  # serialization_failure, likewise
    "08": Unavailable,  # connection exceptions
    "53": Unavailable,  # insufficient resources, e.g. too many connections
    "57P01": Unavailable,  # admin_shutdown
    "57P02": Unavailable,  # crash_shutdown
    "57P03": Unavailable,  # cannot_connect_now: starting up or in recovery
}


def problem_for_sqlstate(sqlstate: str | None) -> type[Problem]:
    sqlstate = sqlstate or ""
    return _SQLSTATE_PROBLEMS.get(sqlstate) or _SQLSTATE_PROBLEMS.get(sqlstate[:2]) or InternalError


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    body = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        **problem.extensions,
    }
    return JSONResponse(body, status_code=problem.status, headers=problem.headers, media_type=PROBLEM_MEDIA_TYPE)


async def handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(request, exc)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own 404 and 405 (with its ``Allow`` header) as problems."""
    assert isinstance(exc, HTTPException)
    body = {
        "type": "about:blank",
        "title": HTTPStatus(exc.status_code).phrase,
        "status": exc.status_code,
        "detail": _default_detail(exc.status_code),
    }
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers, media_type=PROBLEM_MEDIA_TYPE)


def _default_detail(status: int) -> str:
    if status == 404:
        return "No route matches this path."
    if status == 405:
        return "This route does not take that method; see the Allow header."
    return HTTPStatus(status).description


async def handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    sqlstate = getattr(exc, "sqlstate", None)
    kind = problem_for_sqlstate(sqlstate)
    if kind is InternalError:
        return await handle_unexpected(request, exc)
    if issubclass(kind, Unavailable):
        request_id = _request_id(request)
        what = "write conflicts outlasted the retries" if kind is WriteConflict else "database unavailable"
        logger.warning("%s (sqlstate %s) request_id=%s", what, sqlstate, request_id, extra={"request_id": request_id})
    return problem_response(request, kind())


async def handle_connection_error(request: Request, exc: Exception) -> JSONResponse:
    """The socket to PostgreSQL failed: refused, reset, or unreachable."""
    if isinstance(exc, TimeoutError):
        # Every database wait is bounded where it happens (pool, budget, readiness) and
        # answers its own problem; a timeout that gets here is our bug, not an outage.
        return await handle_unexpected(request, exc)
    request_id = _request_id(request)
    logger.warning(
        "database unreachable (%s) request_id=%s", type(exc).__name__, request_id, extra={"request_id": request_id}
    )
    return problem_response(request, Unavailable())


async def handle_interface_error(request: Request, exc: Exception) -> JSONResponse:
    """asyncpg's own errors: a connection that PostgreSQL closed under us is an outage, the rest our bug."""
    message = str(exc)
    if "connection" in message and "closed" in message:
        return await handle_connection_error(request, exc)
    return await handle_unexpected(request, exc)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Our bug. Runs outside the request middleware, so it sets ``X-Request-ID`` itself."""
    request_id = _request_id(request)
    logger.error("unhandled error request_id=%s", request_id, exc_info=exc, extra={"request_id": request_id})
    response = problem_response(request, InternalError())
    # The rate-limit fields of an authenticated request belong on its 500 too.
    response.headers.update(getattr(request.state, "response_headers", {}))
    if request_id:
        response.headers["X-Request-ID"] = request_id
    return response


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    asyncpg.PostgresError: handle_database_error,
    asyncpg.InterfaceError: handle_interface_error,
    OSError: handle_connection_error,
    Exception: handle_unexpected,
}
