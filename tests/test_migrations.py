"""Migrations apply in order, each exactly once, however many processes start at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import anyio
import asyncpg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from service.migrations import discover, migrate, migrate_database
from service.repository import sql
from tests.conftest import PostgresServer


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"skein_empty_{uuid.uuid4().hex[:12]}"
    janitor = DatabaseJanitor(
        user=postgres_server.user,
        host=postgres_server.host,
        port=postgres_server.port,
        password=postgres_server.password,
        dbname=name,
        maintenance_dbname=postgres_server.maintenance_dbname,
    )
    with janitor:
        yield postgres_server.dsn(name)


def test_migration_files_are_numbered_from_one_without_gaps() -> None:
    versions = [migration.version for migration in discover()]
    assert versions == list(range(1, len(versions) + 1))


async def test_concurrent_migrators_apply_each_migration_exactly_once(empty_database: str) -> None:
    results: list[list[int]] = []

    async def migrator() -> None:
        applied = await migrate_database(empty_database)
        results.append([migration.version for migration in applied])

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(migrator)

    everything = [migration.version for migration in discover()]
    assert sorted(v for applied in results for v in applied) == everything
    conn = await asyncpg.connect(empty_database)
    try:
        ledger = [row["version"] for row in await sql.list_applied_migrations(conn)]
    finally:
        await conn.close()
    assert ledger == everything


async def test_migrating_a_migrated_database_applies_nothing(empty_database: str) -> None:
    await migrate_database(empty_database)
    conn = await asyncpg.connect(empty_database)
    try:
        assert await migrate(conn) == []
    finally:
        await conn.close()
