"""``skein import FILE --url URL --key KEY``: stream an NDJSON file to ``/v1/import``.

The file goes out in chunks as it is read (never whole in memory), over the
standard library's HTTP client so the command needs nothing the service
does not. While it uploads, a progress bar on stderr (when stderr is a
terminal) shows bytes and lines sent, the rate and the time left; then it
waits for the service to merge, which is where a large import spends its
last seconds.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

CHUNK_BYTES = 256 * 1024
REDRAW_SECONDS = 0.2
BAR_WIDTH = 24
MB = 1024 * 1024


class ImportFailed(Exception):
    """A one-line reason the import did not happen."""


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def render(sent: int, total: int, lines: int, elapsed: float) -> str:
    """One line of progress: bar, percentage, bytes, lines, rate and time left."""
    fraction = sent / total if total else 1.0
    filled = round(fraction * BAR_WIDTH)
    rate = sent / elapsed if elapsed > 0 else 0.0
    eta = _duration((total - sent) / rate) if rate > 0 else "?"
    return (
        f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {fraction:4.0%} "
        f"{sent / MB:,.1f}/{total / MB:,.1f} MB  {lines:,} lines  {rate / MB:,.1f} MB/s  ETA {eta}"
    )


class Progress:
    """Redraws one line of stderr at most every REDRAW_SECONDS; silent when it is not a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty()
        self.sent = 0
        self.lines = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def advance(self, chunk: bytes) -> None:
        self.sent += len(chunk)
        self.lines += chunk.count(b"\n")
        now = time.monotonic()
        if now - self._drawn >= REDRAW_SECONDS or self.sent == self.total:
            self._drawn = now
            self._draw(render(self.sent, self.total, self.lines, now - self.started))

    def waiting(self) -> None:
        self._draw(f"sent {self.sent / MB:,.1f} MB, {self.lines:,} lines; the service is merging them...")

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, text: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K" + text)
            self.stream.flush()


def _chunks(path: Path, progress: Progress) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            progress.advance(chunk)
            yield chunk
    progress.waiting()


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImportFailed(f"--url must be an http:// or https:// URL of the service, not {url!r}")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    return kind(parts.hostname, parts.port), parts.path.rstrip("/") + "/v1/import"


def _failure(status: int, body: bytes) -> str:
    try:
        problem = json.loads(body)
        summary = f"{status} {problem['title']}: {problem['detail']}"
    except (ValueError, KeyError, TypeError):
        return f"the service answered {status}"
    errors = problem.get("errors") or []
    if errors:
        first = errors[0]
        where = [f"line {first['line']}"] if "line" in first else []
        where += [first[name] for name in ("pointer", "parameter") if name in first]
        summary += f" First: {' '.join(where)}: {first['detail']}"
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more)"
    return summary


def upload(path: Path, url: str, key: str, stderr: TextIO = sys.stderr) -> dict[str, Any]:
    """POST the file to the service; its answer's counts, or ImportFailed."""
    try:
        total = path.stat().st_size
    except OSError as exc:
        raise ImportFailed(f"cannot read {path}: {exc.strerror}") from None
    connection, target = _connection(url)
    progress = Progress(total, stderr)
    headers = {
        "Authorization": f"Bearer {key}",
        "Content-Type": "application/x-ndjson",
        "Content-Length": str(total),
    }
    try:
        connection.connect()
    except OSError as exc:
        raise ImportFailed(f"cannot reach {url}: {exc.strerror or exc}") from None
    try:
        # The service may answer before reading everything (100 bad lines)
        # and close: its answer can still be waiting to be read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request("POST", target, body=_chunks(path, progress), headers=headers)
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise ImportFailed(f"no answer from {url}: {exc}") from None
    finally:
        progress.done()
        connection.close()
    if response.status != 200:
        raise ImportFailed(f"import failed, nothing was written: {_failure(response.status, body)}")
    result: dict[str, Any] = json.loads(body)
    return result
