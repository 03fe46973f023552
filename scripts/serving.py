"""Run `skein serve` on a free loopback port for benchmarks and soak runs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(env: dict[str, str], workers: int = 1, ready_within: float = 60.0) -> Iterator[str]:
    """Yield the base URL once /readyz answers; stop the server (SIGTERM) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # A file, not a pipe: nobody reads the log while the server runs, and a
    # full pipe would stall it.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port), "--workers", str(workers)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + ready_within
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"skein serve exited: {log.read().decode(errors='replace')[-2000:]}")
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("skein serve did not become ready")
                time.sleep(0.1)
            try:
                yield url
            except BaseException:
                # Whatever failed in the caller, the server's side of it is here.
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-20000:])
                raise
        finally:
            process.terminate()
            process.wait(timeout=30)
