"""The ``skein`` command line: each subcommand reads the same environment as the service."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from service.settings import Settings, SettingsError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The DSN to use: ``DATABASE_URL``, or an embedded server run for as long as the command."""
    if settings.database_url:
        yield settings.database_url
        return
    from service.embedded import embedded_postgres

    with embedded_postgres(settings.data_dir) as dsn:
        yield dsn


def run_migrate(args: argparse.Namespace, settings: Settings) -> None:
    from service.migrations import migrate_database

    with database(settings) as dsn:
        applied = asyncio.run(migrate_database(dsn))
    names = ", ".join(f"{m.version:04d}_{m.name}" for m in applied) or "none pending"
    print(f"migrations applied: {names}")


def run_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from service.migrations import migrate_database

    with database(settings) as dsn:
        asyncio.run(migrate_database(dsn))
        # Workers are separate processes: they find the (maybe embedded) server here.
        os.environ["DATABASE_URL"] = dsn
        uvicorn.run(
            "service.app:create_app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            timeout_graceful_shutdown=10,
            proxy_headers=False,
        )


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
    return parser


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
