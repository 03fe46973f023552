"""Fixtures for the isolation benchmark; run with ``-p tests.conftest`` for the app and database.

``--isolation`` picks how each timed test gets its workspace:

- ``shared``: one workspace for the whole session, never cleaned (the baseline);
- ``fresh``: the test suite's own ``workspace`` fixture, a new workspace per test;
- ``delete``: the shared workspace, emptied after each test (the fallback).

Only the timed tests' setup, call and teardown are summed, so starting the
database, migrating and opening the pool stay out of the number. The median
single test is reported too: a burst of other work on the machine moves the
sum but hardly the median.
"""

from __future__ import annotations

import json
import statistics
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from service.repository import sql

# Loaded with -p, tests.conftest is a plugin registered before anyio's and
# pytest-postgresql's, whose own fixtures of these names would then win over
# it; naming them in a conftest puts the suite's own back in front.
from tests.conftest import anyio_backend, postgresql_noproc  # noqa: F401

TIMED_TEST = "test_node_round_trip"

FIXTURE_FOR_MODE = {"shared": "shared_workspace", "fresh": "workspace", "delete": "emptied_workspace"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--isolation", choices=sorted(FIXTURE_FOR_MODE), required=True)
    parser.addoption("--bench-result", type=Path, required=True, help="where to write the timed seconds as JSON")


class Timer:
    """Adds up each timed test's setup, call and teardown durations as pytest measured them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.passed: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid.split("::")[-1].startswith(TIMED_TEST + "["):
            self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration
            if report.when == "call" and report.passed:
                self.passed.add(report.nodeid)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Timer(), "isolation-timer")


def pytest_sessionfinish(session: pytest.Session) -> None:
    timer = session.config.pluginmanager.get_plugin("isolation-timer")
    result = {
        "seconds": sum(timer.seconds.values()),
        "median_test_seconds": statistics.median(timer.seconds.values()) if timer.seconds else 0.0,
        "passed": len(timer.passed),
    }
    session.config.getoption("bench_result").write_text(json.dumps(result))


@pytest.fixture(scope="session")
async def shared_workspace(app: Starlette) -> int:
    async with app.state.pool.acquire() as conn:
        row = await sql.create_workspace(conn, name=f"bench-{uuid.uuid4().hex}")
    return int(row["id"])


@pytest.fixture
async def emptied_workspace(app: Starlette, shared_workspace: int) -> AsyncIterator[int]:
    yield shared_workspace
    async with app.state.pool.acquire() as conn:
        await sql.clear_workspace(conn, workspace_id=shared_workspace)


@pytest.fixture
def bench_workspace(request: pytest.FixtureRequest) -> int:
    workspace_id: int = request.getfixturevalue(FIXTURE_FOR_MODE[request.config.getoption("isolation")])
    return workspace_id
