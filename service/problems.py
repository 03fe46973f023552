"""``GET /problems/<slug>``: a short page documenting each of Skein's own problem types."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse

from service.errors import NotFound, Problem, QueryTimeout, Unavailable, ValidationFailed
from service.routing import operation, route

DESCRIPTIONS: dict[type[Problem], str] = {
    ValidationFailed: (
        "The request was malformed or broke a rule of the contract: bad JSON, a bad parameter, "
        "a depth or limit over its maximum, an unknown member, or a write naming a node that does "
        "not exist. The errors member lists every fault: a JSON Pointer (pointer) for a body "
        "member, the parameter name (parameter) for the query string, or a line (line) of an "
        "import. Correct the request; sending it again unchanged fails again."
    ),
    QueryTimeout: (
        "The request's database work ran past SKEIN_QUERY_TIMEOUT_MS and was cancelled in "
        "PostgreSQL. Narrow the query (a smaller depth or limit, edge or node type filters) "
        "and try again."
    ),
    Unavailable: (
        "PostgreSQL could not be reached, or no pool connection freed up within "
        "SKEIN_POOL_TIMEOUT_MS. The condition is temporary: retry after the number of seconds "
        "in the Retry-After header."
    ),
}

PAGES: dict[str, type[Problem]] = {kind.type.removeprefix("/problems/"): kind for kind in DESCRIPTIONS}


@operation(summary="A short page documenting one of Skein's problem types", text="text/html", problems=(404,))
async def problem_page(request: Request) -> HTMLResponse:
    kind = PAGES.get(request.path_params["slug"])
    if kind is None:
        raise NotFound("No such problem type.")
    title = html.escape(kind.title)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>"
        f"<h1>{title}</h1><p>HTTP status {kind.status}; type <code>{html.escape(kind.type)}</code>.</p>"
        f"<p>{html.escape(DESCRIPTIONS[kind])}</p></body></html>"
    )
    return HTMLResponse(body)


routes = [route("/problems/{slug}", GET=problem_page)]
