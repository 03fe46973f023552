"""Keyset pages: ``limit`` and a signed ``cursor`` in, ``items`` and ``next_cursor`` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from service.cursors import CursorCodec, InvalidCursor
from service.errors import ValidationFailed


def cursor_position(request: Request, kind: str, cursor: str | None, where: dict[str, str]) -> list[Any] | None:
    """Decode a client's cursor; ``where`` is the error location (parameter or pointer)."""
    if cursor is None:
        return None
    codec: CursorCodec = request.app.state.cursors
    try:
        return codec.decode(kind, cursor)
    except InvalidCursor as exc:
        raise ValidationFailed([{"detail": f"invalid cursor: {exc}", **where}]) from None


def page(
    request: Request,
    kind: str,
    items: Sequence[Any],
    limit: int,
    last_position: list[Any] | None,
) -> dict[str, Any]:
    """``items`` holds up to ``limit + 1`` entries: the extra one says a next page exists."""
    codec: CursorCodec = request.app.state.cursors
    has_more = len(items) > limit and last_position is not None
    return {
        "items": list(items[:limit]),
        "next_cursor": codec.encode(kind, last_position) if has_more and last_position is not None else None,
    }
