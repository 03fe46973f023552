"""Log lines: one JSON object a line for log collectors, plain text when a person watches a terminal.

``skein serve`` applies ``log_config`` through uvicorn, in every worker; nothing
is configured on import. Fields given as ``extra=`` (the access log's, an
error's request id) become members of the JSON object.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

ACCESS_LOGGER = "skein.access"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# uvicorn repeats its message with terminal colours in this one.
_IGNORED_EXTRAS = frozenset({"color_message"})


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        key: value
        for key, value in vars(record).items()
        if key not in _STANDARD_ATTRIBUTES and key not in _IGNORED_EXTRAS
    }


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            **extra_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{key}={value}" for key, value in extra_fields(record).items() if value is not None)
        line = f"{_time(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line += f"  {fields}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_config(*, terminal: bool) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping: uvicorn's loggers and ours, all through one stderr handler."""
    formatter = TextFormatter if terminal else JsonFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"skein": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "skein", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            # Replace uvicorn's own handlers; its lines then reach ours through the root.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # skein.access supersedes uvicorn's access lines, which lack the route and the key.
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }
