"""Access and error logs: one JSON line per request with its fields, never a secret."""

from __future__ import annotations

import json
import logging
import uuid

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.errors import EXCEPTION_HANDLERS
from service.logs import ACCESS_LOGGER, JsonFormatter, TextFormatter, log_config
from service.metrics import Metrics
from service.middleware import RequestContextMiddleware
from service.observe import ObserveMiddleware
from tests.conftest import KeyFactory, bearer, client_for
from tests.helpers import public_id_of

ACCESS_FIELDS = {"request_id", "method", "route", "status", "duration_ms", "workspace_id", "key_prefix"}


def _access_record(caplog: pytest.LogCaptureFixture, request_id: str) -> logging.LogRecord:
    records = [
        record
        for record in caplog.records
        if record.name == ACCESS_LOGGER and getattr(record, "request_id", None) == request_id
    ]
    assert len(records) == 1, records
    return records[0]


async def _logged_request(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> tuple[httpx.Response, logging.LogRecord, dict[str, object]]:
    request_id = f"log-{uuid.uuid4().hex}"
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    response = await client.get("/v1/api-keys", headers={**headers, "X-Request-ID": request_id})
    record = _access_record(caplog, request_id)
    return response, record, json.loads(JsonFormatter().format(record))


async def test_a_request_logs_one_json_line_with_its_key_and_workspace(
    client: httpx.AsyncClient, make_key: KeyFactory, workspace: int, caplog: pytest.LogCaptureFixture
) -> None:
    key = await make_key()
    response, _, line = await _logged_request(client, caplog, bearer(key))
    assert response.status_code == 200
    assert set(line) >= ACCESS_FIELDS
    assert line["logger"] == ACCESS_LOGGER
    assert (line["method"], line["route"], line["status"]) == ("GET", "/v1/api-keys", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert (line["workspace_id"], line["key_prefix"]) == (workspace, f"skn_{public_id_of(key)}")
    assert str(line["time"]).endswith("Z")


async def test_a_refused_key_is_logged_without_a_workspace(
    client: httpx.AsyncClient, make_key: KeyFactory, caplog: pytest.LogCaptureFixture
) -> None:
    key = await make_key()
    response, _, line = await _logged_request(client, caplog, bearer(key[:-1] + ("A" if key[-1] != "A" else "B")))
    assert response.status_code == 401
    assert (line["route"], line["status"]) == ("/v1/api-keys", 401)
    assert line["workspace_id"] is None and line["key_prefix"] is None


async def test_no_secret_authorization_header_or_body_reaches_an_access_line(
    client: httpx.AsyncClient, make_key: KeyFactory, caplog: pytest.LogCaptureFixture
) -> None:
    key = await make_key()
    secret = key.split("_", 2)[2]
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    created = await client.post(
        "/v1/api-keys", json={"name": "body-marker", "scopes": ["read"]}, headers={**bearer(key), "X-Request-ID": "x1"}
    )
    new_secret = created.json()["key"].split("_", 2)[2]
    for valid in (True, False):
        await _logged_request(client, caplog, bearer(key if valid else key[:-2] + "zz"))
    lines = "\n".join(JsonFormatter().format(record) for record in caplog.records if record.name == ACCESS_LOGGER)
    for forbidden in (secret, new_secret, "Bearer", "body-marker"):
        assert forbidden not in lines


async def _fail(request: Request) -> Response:
    raise RuntimeError("a bug")


async def test_an_unexpected_error_is_logged_with_its_request_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    app = Starlette(
        routes=[Route("/bug", _fail)],
        middleware=[Middleware(RequestContextMiddleware), Middleware(ObserveMiddleware, metrics=Metrics())],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    async with client_for(app, raise_app_exceptions=False) as client:
        assert (await client.get("/bug", headers={"X-Request-ID": "bug-1"})).status_code == 500
    errors = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.levelno >= logging.ERROR]
    assert [line["request_id"] for line in errors] == ["bug-1"]
    assert "RuntimeError" in errors[0]["exception"]
    assert json.loads(JsonFormatter().format(_access_record(caplog, "bug-1")))["status"] == 500


def test_a_terminal_gets_plain_text_and_anything_else_json() -> None:
    record = logging.makeLogRecord(
        {"name": ACCESS_LOGGER, "levelname": "INFO", "msg": "GET /healthz 200", "request_id": "r1", "status": 200}
    )
    text = TextFormatter().format(record)
    assert text.split(" ", 1)[1].startswith("INFO") and "request_id=r1" in text
    assert json.loads(JsonFormatter().format(record))["request_id"] == "r1"
    assert log_config(terminal=True)["formatters"]["skein"]["()"].endswith(".TextFormatter")
    assert log_config(terminal=False)["formatters"]["skein"]["()"].endswith(".JsonFormatter")
