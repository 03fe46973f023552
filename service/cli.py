"""The ``skein`` command line: each subcommand reads the same environment as the service."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from service.auth import SCOPES
from service.settings import Settings, SettingsError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

# How long in-flight requests may run on after SIGTERM before they are cut off.
GRACEFUL_SHUTDOWN_SECONDS = 10


class CommandError(Exception):
    """A failure worth one line on stderr and exit status 1."""


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The DSN to use: ``DATABASE_URL``, or an embedded server run for as long as the command."""
    if settings.database_url:
        yield settings.database_url
        return
    from service.embedded import embedded_postgres

    with embedded_postgres(settings.data_dir) as dsn:
        yield dsn


async def _connect_migrated(dsn: str) -> Any:
    """A short-lived connection of the command's own, on a migrated database."""
    import asyncpg

    from service.migrations import migrate

    conn = await asyncpg.connect(dsn)
    await migrate(conn)
    return conn


async def _create_workspace(dsn: str, name: str) -> str:
    import asyncpg

    from service.auth import issue_key
    from service.repository import sql

    conn = await _connect_migrated(dsn)
    try:
        async with conn.transaction():
            try:
                workspace = await sql.create_workspace(conn, name=name)
            except asyncpg.UniqueViolationError:
                raise CommandError(f"workspace {name!r} already exists") from None
            _, key = await issue_key(conn, workspace_id=workspace["id"], name="admin", scopes=list(SCOPES))
    finally:
        await conn.close()
    return key


async def _create_key(dsn: str, workspace: str, scopes: list[str], name: str, rate_limit: int | None) -> str:
    from service.auth import issue_key
    from service.repository import sql

    conn = await _connect_migrated(dsn)
    try:
        workspace_id = await sql.find_workspace(conn, name=workspace)
        if workspace_id is None:
            raise CommandError(f"no workspace named {workspace!r}")
        _, key = await issue_key(
            conn, workspace_id=workspace_id, name=name, scopes=scopes, rate_limit_per_minute=rate_limit
        )
    finally:
        await conn.close()
    return key


async def _bootstrap_default_workspace(dsn: str) -> str | None:
    """On an embedded database that has never been set up: workspace ``default`` and its admin key."""
    from service.repository import sql

    conn = await _connect_migrated(dsn)
    try:
        has_workspaces = await sql.count_workspaces(conn) > 0
    finally:
        await conn.close()
    return None if has_workspaces else await _create_workspace(dsn, "default")


def run_create_workspace(args: argparse.Namespace, settings: Settings) -> None:
    with database(settings) as dsn:
        key = asyncio.run(_create_workspace(dsn, args.name))
    print(f"Created workspace {args.name!r}. Its admin key (read, write, admin), shown only now:")
    print(key)


def run_create_key(args: argparse.Namespace, settings: Settings) -> None:
    with database(settings) as dsn:
        key = asyncio.run(_create_key(dsn, args.workspace, args.scopes, args.name, args.rate_limit))
    scopes = ",".join(args.scopes)
    print(f"Created key {args.name!r} in workspace {args.workspace!r} with scopes {scopes}, shown only now:")
    print(key)


def run_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from service.migrations import migrate_database

    with database(settings) as dsn:
        applied = asyncio.run(migrate_database(dsn))
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "none pending"
    print(f"migrations applied: {names}")


@contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """A fresh directory where prometheus_client keeps every worker's values, when there are several.

    Set before uvicorn starts the workers, which inherit it; a directory the
    operator chose is used as it is and kept.
    """
    from service.metrics import MULTIPROCESS_DIR

    if workers < 2 or os.environ.get(MULTIPROCESS_DIR):
        yield
        return
    path = tempfile.mkdtemp(prefix="skein-metrics-")
    os.environ[MULTIPROCESS_DIR] = path
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(path, ignore_errors=True)


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_OK)


def run_serve(args: argparse.Namespace, settings: Settings) -> None:
    from service.migrations import migrate_database

    with database(settings) as dsn, metrics_directory(args.workers):
        asyncio.run(migrate_database(dsn))
        if settings.database_url is None:
            key = asyncio.run(_bootstrap_default_workspace(dsn))
            if key is not None:
                print("First start: created workspace 'default'. Its admin key, shown only now:", flush=True)
                print(key, flush=True)
        # Workers are separate processes: they find the (maybe embedded) server here.
        os.environ["DATABASE_URL"] = dsn
        # uvicorn shuts down gracefully on SIGTERM, then raises the signal again
        # under the handler it found. Python's default would kill the process
        # there, skipping the embedded server's stop; this one unwinds instead.
        signal.signal(signal.SIGTERM, _exit_cleanly)
        run_uvicorn("service.app:create_app_from_env", host=args.host, port=args.port, workers=args.workers)


def run_uvicorn(factory: str, host: str, port: int, workers: int = 1) -> None:
    """Serve the app that ``factory`` (``module:function``) builds, as ``skein serve`` does.

    ``scripts/bench queries`` serves its baseline app through here, so that
    both answer over the same server settings.
    """
    import uvicorn

    from service.logs import log_config

    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        proxy_headers=False,
        log_config=log_config(terminal=sys.stderr.isatty()),
        access_log=False,
    )


def run_import(args: argparse.Namespace, settings: Settings) -> None:
    from service.import_command import ImportFailed, upload

    try:
        result = upload(args.file, args.url, args.key)
    except ImportFailed as exc:
        raise CommandError(str(exc)) from None
    print(json.dumps(result))


class Parser(argparse.ArgumentParser):
    """Bad usage answers the contract's one stderr line, not argparse's usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="skein", description="Skein: a graph behind an HTTP API on PostgreSQL.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply pending migrations, then serve HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=run_serve)

    migrate = commands.add_parser("migrate", help="apply pending migrations and exit")
    migrate.set_defaults(run=run_migrate)

    workspace = commands.add_parser("create-workspace", help="create a workspace and print its admin key")
    workspace.add_argument("name")
    workspace.set_defaults(run=run_create_workspace)

    key = commands.add_parser("create-key", help="create an API key in a workspace and print it")
    key.add_argument("--workspace", required=True)
    key.add_argument("--scopes", required=True, type=_scopes, help="comma-separated: read, write, admin")
    key.add_argument("--name", default="cli")
    key.add_argument("--rate-limit", type=_positive_int, default=None, help="requests per minute")
    key.set_defaults(run=run_create_key)

    upload = commands.add_parser("import", help="stream an NDJSON file to a running service's /v1/import")
    upload.add_argument("file", type=Path, metavar="FILE")
    upload.add_argument("--url", required=True, help="the service's base URL, e.g. http://127.0.0.1:8000")
    upload.add_argument("--key", required=True, help="an API key with the write scope")
    upload.set_defaults(run=run_import)
    return parser


def _scopes(text: str) -> list[str]:
    given = {part.strip() for part in text.split(",")} - {""}
    scopes = [scope for scope in SCOPES if scope in given]
    if not scopes or given - set(SCOPES):
        raise argparse.ArgumentTypeError(f"scopes are a comma-separated subset of {', '.join(SCOPES)}")
    return scopes


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a whole number of at least 1")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"skein: {exc}", file=sys.stderr)
        return EXIT_USAGE
    run: Callable[[argparse.Namespace, Settings], None] = args.run
    try:
        run(args, settings)
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        print(f"skein: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK
