"""Numbered ``sql/migrations/NNNN_name.sql`` files, applied in order, each exactly once."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import asyncpg

from service.repository import sql
from service.sqlfiles import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "migrations"

# Any fixed bigint works; this one is "skein" in ASCII.
MIGRATION_LOCK_ID = 0x736B65696E

_FILE_NAME = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")


@dataclasses.dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            raise ValueError(f"{path.name}: a migration is named NNNN_snake_case.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"{path.name}: version {version} is also {found[version].path.name}")
        found[version] = Migration(version, match.group(2), path)
    return [found[version] for version in sorted(found)]


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply pending migrations under an advisory lock; return those this call applied."""
    pending = discover(directory)
    applied_now: list[Migration] = []
    await sql.lock_migrations(conn, lock_id=MIGRATION_LOCK_ID)
    try:
        await sql.create_migration_ledger(conn)
        done = {row["version"] for row in await sql.list_applied_migrations(conn)}
        for migration in pending:
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.path.read_text(encoding="utf-8"))
                await sql.record_migration(conn, version=migration.version, name=migration.name)
            applied_now.append(migration)
    finally:
        await sql.unlock_migrations(conn, lock_id=MIGRATION_LOCK_ID)
    return applied_now


async def migrate_database(dsn: str) -> list[Migration]:
    """Open a short-lived connection of its own (not the pool) and migrate."""
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn)
    finally:
        await conn.close()
