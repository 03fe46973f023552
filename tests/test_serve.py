"""`skein serve` on its embedded PostgreSQL: a first admin key, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.serving import free_port
from tests.conftest import shared_runtime_dir

pytestmark = pytest.mark.slow


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
