"""Configuration from the environment, parsed once at start-up."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


class SettingsError(Exception):
    """A variable that does not parse; the message is one line naming it."""


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be at least 0")
    return number


def _database_url(value: str) -> str:
    if not value.startswith(("postgres://", "postgresql://")):
        raise ValueError("must be a postgresql:// URL")
    return value


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = Path(".skein")
    max_depth: int = 10
    rate_limit: int = 1200
    query_timeout_ms: int = 5000
    max_body_bytes: int = 1024 * 1024
    pool_min_size: int = 2
    pool_max_size: int = 10
    pool_timeout_ms: int = 2000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, (variable, parse) in _VARIABLES.items():
            raw = environ.get(variable)
            if raw is None or raw == "":
                continue
            try:
                values[field] = parse(raw.strip())
            except ValueError as exc:
                raise SettingsError(f"{variable}={raw!r} does not parse: {exc}") from None
        settings = cls(**values)
        if settings.pool_min_size > settings.pool_max_size:
            raise SettingsError(
                "SKEIN_POOL_MIN_SIZE must not exceed SKEIN_POOL_MAX_SIZE "
                f"({settings.pool_min_size} > {settings.pool_max_size})"
            )
        return settings

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "database_url": ("DATABASE_URL", _database_url),
    "data_dir": ("SKEIN_DATA_DIR", Path),
    "max_depth": ("SKEIN_MAX_DEPTH", _positive_int),
    "rate_limit": ("SKEIN_RATE_LIMIT", _positive_int),
    "query_timeout_ms": ("SKEIN_QUERY_TIMEOUT_MS", _positive_int),
    "max_body_bytes": ("SKEIN_MAX_BODY_BYTES", _positive_int),
    "pool_min_size": ("SKEIN_POOL_MIN_SIZE", _non_negative_int),
    "pool_max_size": ("SKEIN_POOL_MAX_SIZE", _positive_int),
    "pool_timeout_ms": ("SKEIN_POOL_TIMEOUT_MS", _positive_int),
}
