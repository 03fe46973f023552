"""Migrations apply in order, each exactly once, however many processes start at once."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import anyio
import asyncpg
import pytest
from pytest_postgresql.janitor import DatabaseJanitor

from service.db import init_connection
from service.graph_models import Node
from service.migrations import discover, migrate, migrate_database
from service.repository import sql
from tests.conftest import PostgresServer
from tests.helpers import test_sql


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


async def test_migration_0005_stores_the_json_of_nodes_written_before_it(empty_database: str, tmp_path: Path) -> None:
    for migration in discover()[:4]:
        shutil.copy(migration.path, tmp_path)
    conn = await asyncpg.connect(empty_database)
    try:
        await init_connection(conn)
        assert [m.version for m in await migrate(conn, tmp_path)] == [1, 2, 3, 4]
        workspace = (await sql.create_workspace(conn, name="before"))["id"]
        for node_type, key, properties in [("t", "a", {}), ("t-x", 'q"\\ü', {"n": [1.5, None], "s": "€\n"})]:
            await sql.upsert_node(conn, workspace_id=workspace, type=node_type, key=key, properties=properties)
        assert [m.version for m in await migrate(conn)] == [5]
        rows = await test_sql.list_node_json(conn, workspace_id=workspace)
    finally:
        await conn.close()
    assert len(rows) == 2
    for row in rows:
        assert json.loads("{" + row["json_members"] + "}") == Node.of_row(row).model_dump(mode="json")
