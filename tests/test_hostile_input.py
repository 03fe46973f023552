"""Hostile input: each gets a 4xx problem from Skein, or the HTTP server closes it first; never a 5xx or a hang.

Everything goes to a real ``skein serve`` over loopback: bodies through
httpx, malformed HTTP (a 10 MB header, a trickling body) through raw
sockets. The server's resident memory must stay within MEMORY_GROWTH_BYTES
across them all.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import httpx
import pytest

from scripts.benchkit import rss_bytes
from tests.conftest import KeyFactory, bearer
from tests.graph import VALIDATION
from tests.helpers import assert_problem
from tests.serving import Server

pytestmark = pytest.mark.slow

MEMORY_GROWTH_BYTES = 150 * 1024 * 1024
ANSWER_WITHIN_SECONDS = 10.0

NESTED = b"[" * 100_000 + b"]" * 100_000
HOSTILE_BODIES = {
    "invalid utf-8": b'{"properties": {"name": "\xff\xfe\xc3\x28"}}',
    "nested 100k levels": NESTED,
    "nested in properties": b'{"properties": {"a": ' + NESTED + b"}}",
    "unclosed nesting": b"{" * 100_000,
    "1e400": b'{"properties": {"n": 1e400}}',
    "-1e400": b'{"properties": {"n": -1e400}}',
    "10^5000 digits": b'{"properties": {"n": 1' + b"0" * 5000 + b"}}",
    "NUL in a property value": b'{"properties": {"n": "a\\u0000b"}}',
    "NUL in a property name": b'{"properties": {"a\\u0000b": 1}}',
    "raw NUL byte": b'{"properties": {"n": "a\x00b"}}',
}


@pytest.fixture
def memory(server: Server) -> Iterator[None]:
    before = rss_bytes(server.process.pid)
    yield
    assert rss_bytes(server.process.pid) - before < MEMORY_GROWTH_BYTES


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
@pytest.mark.parametrize("path", ["/v1/nodes/t/k", "/v1/batch"])
async def test_a_hostile_json_body_is_a_validation_problem(
    server: Server, make_key: KeyFactory, memory: None, body: bytes, path: str
) -> None:
    if path == "/v1/batch":
        body = body.replace(b'{"properties"', b'{"nodes": [{"type": "t", "key": "k", "properties"', 1)
        body = body + b"]}" if body.startswith(b'{"nodes"') else body
    headers = {**bearer(await make_key()), "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server.url, timeout=ANSWER_WITHIN_SECONDS) as client:
        method = "POST" if path == "/v1/batch" else "PUT"
        assert_problem(await client.request(method, path, content=body, headers=headers), 400, VALIDATION)


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
async def test_a_hostile_import_line_is_a_bad_line(
    server: Server, make_key: KeyFactory, memory: None, body: bytes
) -> None:
    line = body.replace(b'{"properties"', b'{"node": {"type": "t", "key": "k", "properties"', 1)
    line = line + b"}" if line.startswith(b'{"node"') else line
    headers = {**bearer(await make_key()), "Content-Type": "application/x-ndjson"}
    async with httpx.AsyncClient(base_url=server.url, timeout=ANSWER_WITHIN_SECONDS) as client:
        response = await client.post("/v1/import", content=line + b"\n", headers=headers)
    problem = assert_problem(response, 400, VALIDATION)
    assert {fault["line"] for fault in problem["errors"]} == {1}


@pytest.mark.parametrize(
    "path", ["/v1/nodes/t/a%00b", "/v1/nodes/t%00/k", "/v1/nodes?type=a%00b", "/v1/edges?source=t:%00"]
)
async def test_a_nul_in_a_path_or_parameter_is_a_validation_problem(
    server: Server, make_key: KeyFactory, memory: None, path: str
) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=ANSWER_WITHIN_SECONDS) as client:
        response = await client.get(path, headers=bearer(await make_key()))
    assert_problem(response, 400, VALIDATION)


async def raw_exchange(server: Server, request: bytes, trickle: bytes = b"") -> bytes:
    """Send ``request`` (then ``trickle`` a byte at a time), and read until the server closes or answers."""
    port = int(server.url.rsplit(":", 1)[1])
    answer = b""
    with anyio.fail_after(ANSWER_WITHIN_SECONDS):
        async with await anyio.connect_tcp("127.0.0.1", port) as stream:
            try:
                await stream.send(request)
                for byte in trickle:
                    await stream.send(bytes([byte]))
                    await anyio.sleep(0.01)
                while b"\r\n\r\n" not in answer or not answer.split(b"\r\n\r\n", 1)[1]:
                    answer += await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError, ConnectionResetError):
                pass
    return answer


def status_of(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


async def test_a_10_mb_header_is_refused_by_the_http_server(server: Server, memory: None) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: skein\r\nX-Big: " + b"a" * (10 * 1024 * 1024) + b"\r\n\r\n"
    status = status_of(await raw_exchange(server, request))
    # Closed without an answer, or a 4xx: never Skein's handlers, never a 5xx.
    assert status is None or 400 <= status < 500, status
    assert server.answers()


async def test_a_trickling_body_is_served_within_a_bound(server: Server, make_key: KeyFactory, memory: None) -> None:
    body = b'{"properties": {"slow": true}}'
    head = (
        b"PUT /v1/nodes/t/slow HTTP/1.1\r\nHost: skein\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + b"Authorization: Bearer "
        + (await make_key()).encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    assert status_of(await raw_exchange(server, head, trickle=body)) == 201
