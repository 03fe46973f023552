"""``skein serve`` as a subprocess on a loopback port, for what needs a real socket and real processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import httpx

READY_WITHIN_SECONDS = 60.0
STOP_WITHIN_SECONDS = 30.0
POLL_SECONDS = 0.05

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def poll(check: Callable[[], T | None], within: float, what: str) -> T:
    """``check()``'s first truthy answer, asked again until the deadline."""
    deadline = time.monotonic() + within
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {within} s: {what}")
        time.sleep(POLL_SECONDS)


def create_workspace(database_url: str) -> str:
    """A fresh workspace's admin key (read, write, admin), made the way an operator makes one."""
    result = subprocess.run(
        [sys.executable, "-m", "service", "create-workspace", f"ops-{uuid.uuid4().hex}"],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return result.stdout.decode().strip().splitlines()[-1]


class Server:
    """A running ``skein serve``: its URL, its process and the log it writes (stdout and stderr)."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
        self.process = process
        self.url = url
        self.log_path = log_path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines so far; other lines (a printed key, say) are skipped."""
        records = []
        for line in self.log_text().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(json.JSONDecodeError):
                    records.append(json.loads(line))
        return records

    def wait_for_record(self, matches: Callable[[dict[str, Any]], bool], within: float = 10.0) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((record for record in self.log_records() if matches(record)), None)

        return poll(found, within, f"a log record in {self.log_path}")

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1.0).status_code == 200
        except httpx.TransportError:
            return False

    def terminate(self, within: float = STOP_WITHIN_SECONDS) -> int:
        """SIGTERM, then the exit status; a server that does not stop in time is killed and fails the test."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


@contextlib.contextmanager
def skein_serve(
    database_url: str | None, log_path: Path, args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Start ``skein serve`` and wait until it answers; stop it with SIGTERM on the way out."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    environment.pop("DATABASE_URL", None)
    if database_url is not None:
        environment["DATABASE_URL"] = database_url
    environment.update(env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        poll(lambda: server.answers() or process.poll() is not None, READY_WITHIN_SECONDS, "skein serve to answer")
        if process.poll() is not None:
            raise RuntimeError(f"skein serve exited with {process.returncode}:\n{server.log_text()}")
        yield server
    finally:
        server.terminate()
