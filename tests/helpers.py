"""Assertion helpers and small stand-ins shared by the test modules."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from service.sqlfiles import Queries

# Queries only tests need (moving a bucket's clock, reading raw rows).
test_sql = Queries.load(Path(__file__).parent / "sql")

FORBIDDEN_IN_PROBLEMS = ("Traceback", 'File "', "select ", "insert into", "asyncpg", "postgresql://")


def assert_problem(response: httpx.Response, status: int, type_: str = "about:blank") -> dict[str, Any]:
    """Every error answer has one shape: RFC 9457, no stack trace, SQL or secret."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers.get("x-request-id")
    body = response.json()
    assert body["type"] == type_
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    for fragment in FORBIDDEN_IN_PROBLEMS:
        assert fragment.lower() not in response.text.lower(), fragment
    return body


def public_id_of(key: str) -> str:
    return key.split("_")[1]


@contextlib.contextmanager
def closed_loopback_port() -> Iterator[int]:
    """A loopback port where nothing listens: a connection to it is refused at once.

    The socket stays bound without listening, so no other process can take
    the port while the test runs.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
