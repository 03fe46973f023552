"""``skein serve`` as operators run it: JSON logs, graceful SIGTERM, several workers, the embedded server."""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import bearer, shared_runtime_dir
from tests.serving import Server, create_workspace, free_port, poll, skein_serve

pytestmark = pytest.mark.slow

SHUTDOWN_WITHIN_SECONDS = 15.0


def _access_line(server: Server, request_id: str) -> dict[str, Any]:
    return server.wait_for_record(lambda r: r.get("logger") == "skein.access" and r.get("request_id") == request_id)


def test_serve_logs_each_request_as_one_json_line_without_secrets(server: Server, database_url: str) -> None:
    key = create_workspace(database_url)
    bad_key = key[:-2] + ("zz" if not key.endswith("zz") else "yy")
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/v1/api-keys", headers={**bearer(key), "X-Request-ID": "good-1"}).status_code == 200
        assert client.get("/v1/api-keys", headers={**bearer(bad_key), "X-Request-ID": "bad-1"}).status_code == 401
    good, bad = _access_line(server, "good-1"), _access_line(server, "bad-1")
    assert good["key_prefix"] == "skn_" + key.split("_")[1] and isinstance(good["workspace_id"], int)
    assert (good["route"], good["status"], good["method"]) == ("/v1/api-keys", 200, "GET")
    assert (bad["status"], bad["workspace_id"], bad["key_prefix"]) == (401, None, None)
    assert good["duration_ms"] > 0 and good["time"].endswith("Z") and good["pid"] == server.process.pid
    log = server.log_text()
    for secret in (key.split("_", 2)[2], bad_key.split("_", 2)[2], "Bearer"):
        assert secret not in log


def _send_request_head(port: int, key: str, body: bytes) -> socket.socket:
    """A POST whose headers arrive now and whose body is held back: a request in flight."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=SHUTDOWN_WITHIN_SECONDS)
    head = (
        "POST /v1/api-keys HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    conn.sendall(head.encode() + body[:5])
    return conn


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_sigterm_lets_an_in_flight_request_finish_then_exits_0(database_url: str, tmp_path: Path) -> None:
    admin = create_workspace(database_url)
    with skein_serve(database_url, tmp_path / "serve.log") as server:
        with httpx.Client(base_url=server.url, headers=bearer(admin)) as client:
            slow = client.post("/v1/api-keys", json={"name": "slow", "scopes": ["admin"]}).json()

            def slow_key_was_checked() -> bool:
                keys = client.get("/v1/api-keys").json()["items"]
                return any(item["id"] == slow["id"] and item["last_used_at"] for item in keys)

            body = json.dumps({"name": "made-during-shutdown", "scopes": ["read"]}).encode()
            port = int(server.url.rsplit(":", 1)[1])
            with _send_request_head(port, slow["key"], body) as conn:
                # The key check has run: the handler now waits for the rest of the body.
                poll(slow_key_was_checked, 10, "the in-flight request to pass the key check")
                server.process.send_signal(signal.SIGTERM)
                server.wait_for_record(lambda r: r.get("message") == "Shutting down")
                poll(lambda: _refuses_connections(port), 10, "new connections to be refused")
                conn.sendall(body[5:])
                answer = b"".join(iter(lambda: conn.recv(65536), b""))
        assert answer.startswith(b"HTTP/1.1 201 "), answer[:200]
        assert b'"made-during-shutdown"' in answer
        assert server.process.wait(timeout=SHUTDOWN_WITHIN_SECONDS) == 0
        messages = [record.get("message") for record in server.log_records()]
        assert messages.index("Application shutdown complete.") > messages.index("Shutting down")


def _requests_counted(server_url: str, route: str) -> float:
    text = httpx.get(f"{server_url}/metrics").text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "skein_http_requests_total" and sample.labels["route"] == route
    )


def test_two_workers_both_answer_add_up_their_metrics_and_stop_on_sigterm(database_url: str, tmp_path: Path) -> None:
    env = {"TMPDIR": str(tmp_path)}
    with skein_serve(database_url, tmp_path / "serve.log", args=["--workers", "2"], env=env) as server:
        sent: list[str] = []

        def two_pids_answered() -> set[int] | None:
            request_id = f"w-{len(sent)}"
            # A new connection each time, so the kernel may hand it to either worker.
            httpx.get(f"{server.url}/problems/query-timeout", headers={"X-Request-ID": request_id})
            sent.append(request_id)
            pids = {_access_line(server, rid)["pid"] for rid in sent}
            return pids if len(pids) == 2 else None

        workers = poll(two_pids_answered, 30, "both workers to answer")
        assert server.process.pid not in workers
        assert _requests_counted(server.url, "/problems/{slug}") == len(sent)
        assert [path.name for path in tmp_path.iterdir() if path.name.startswith("skein-metrics-")]
        assert server.terminate(SHUTDOWN_WITHIN_SECONDS) == 0
    assert all(_exited(pid) for pid in workers)
    assert not [path.name for path in tmp_path.iterdir() if path.name.startswith("skein-metrics-")]


def _exited(pid: int) -> bool:
    """Gone, or a zombie: a daemon's exit is reaped by whatever is process 1, maybe never in a container."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_serve_on_a_terminal_writes_plain_text(database_url: str) -> None:
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(free_port())],
        env={**os.environ, "DATABASE_URL": database_url},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    seen = bytearray()

    def started() -> bool:
        while select.select([main], [], [], 0)[0]:
            seen.extend(os.read(main, 65536))
        return b"Application startup complete." in seen

    try:
        poll(started, 60, "skein serve to start on a terminal")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=SHUTDOWN_WITHIN_SECONDS)
        os.close(main)
    line = next(line for line in seen.decode().splitlines() if "Application startup complete." in line)
    assert not line.lstrip().startswith("{")
    assert " INFO " in line and "uvicorn.error" in line


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under pytest's tmp_path: the embedded server's own user must reach it.
    path = Path(tempfile.mkdtemp(prefix="skein-serve-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "skein serve exited early"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("skein serve did not become ready")


def test_first_start_prints_an_admin_key_and_sigterm_stops_postgres(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"SKEIN_DATA_DIR": str(data_dir), "XDG_RUNTIME_DIR": shared_runtime_dir()}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)], env=env, stdout=out, stderr=out
        )
        try:
            _wait_ready(url, process)
            out.seek(0)
            key = next(line for line in out.read().decode().splitlines() if line.startswith("skn_"))
            assert httpx.get(f"{url}/v1/api-keys", headers={"Authorization": f"Bearer {key}"}).status_code == 200
            assert (data_dir / "pgdata" / "postmaster.pid").exists()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
    assert not (data_dir / "pgdata" / "postmaster.pid").exists()
