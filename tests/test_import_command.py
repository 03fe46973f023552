"""`skein import FILE --url URL --key KEY`: streams a file to a running service, exit statuses as the contract says."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from service.import_command import Progress, render
from tests.graph import all_pages


@pytest.fixture
async def base_url(app: Starlette) -> AsyncIterator[str]:
    """The session's app behind a real HTTP server on a loopback port of its own."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        while not server.started:
            await anyio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True


async def _skein_import(*args: str) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "service", "import", *args]
    result = await anyio.run_process(command, env=dict(os.environ), check=False)
    return result.returncode, result.stdout.decode(), result.stderr.decode()


def _key_of(auth: dict[str, str]) -> str:
    return auth["Authorization"].removeprefix("Bearer ")


@pytest.mark.slow
async def test_import_streams_the_file_and_prints_the_counts(
    tmp_path: Path, base_url: str, client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    lines = [{"node": {"type": "svc", "key": str(i)}} for i in range(300)]
    lines += [{"edge": {"source": f"svc:{i}", "type": "next", "target": f"svc:{i + 1}"}} for i in range(299)]
    path = tmp_path / "graph.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, out, err = await _skein_import(str(path), "--url", base_url, "--key", _key_of(auth))
    assert code == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == {
        "nodes": {"created": 300, "updated": 0},
        "edges": {"created": 299, "updated": 0},
    }
    assert len(await all_pages(client, auth, "/v1/edges", limit="1000")) == 299


@pytest.mark.slow
async def test_a_bad_line_exits_1_naming_it_on_one_line(tmp_path: Path, base_url: str, auth: dict[str, str]) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text(
        '{"node": {"type": "svc", "key": "a"}}\n{"edge": {"source": "svc:a", "type": "x", "target": "svc:b"}}\n'
    )
    code, _, err = await _skein_import(str(path), "--url", base_url, "--key", _key_of(auth))
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "line 2 #/edge/target" in err


@pytest.mark.slow
async def test_a_wrong_key_exits_1(tmp_path: Path, base_url: str) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text('{"node": {"type": "svc", "key": "a"}}\n')
    code, _, err = await _skein_import(str(path), "--url", base_url, "--key", "skn_nope")
    assert code == 1
    assert "401" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
async def test_an_unreachable_service_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "one.ndjson"
    path.write_text("\n")
    code, _, err = await _skein_import(str(path), "--url", "http://127.0.0.1:9", "--key", "k")
    assert code == 1
    assert "cannot reach" in err


@pytest.mark.slow
async def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    code, _, err = await _skein_import(str(tmp_path / "none.ndjson"), "--url", "http://127.0.0.1:9", "--key", "k")
    assert code == 1
    assert "cannot read" in err


@pytest.mark.slow
async def test_import_without_url_or_key_exits_2(tmp_path: Path) -> None:
    code, _, err = await _skein_import(str(tmp_path / "x.ndjson"))
    assert code == 2
    assert "--url" in err


def test_the_progress_line_shows_bytes_lines_rate_and_time_left() -> None:
    line = render(sent=50 * 1024 * 1024, total=200 * 1024 * 1024, lines=123_456, elapsed=10.0)
    assert line.startswith("[######------------------]  25% ")
    assert "50.0/200.0 MB" in line
    assert "123,456 lines" in line
    assert "5.0 MB/s" in line
    assert line.endswith("ETA 0:00:30")


def test_progress_is_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(total=10, stream=stream)
    progress.advance(b"0123456789")
    progress.waiting()
    progress.done()
    assert stream.getvalue() == ""
