"""Keyset pages: ``limit`` and a signed ``cursor`` in, ``next_cursor`` out."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from service.cursors import CursorCodec, InvalidCursor
from service.errors import ValidationFailed


def cursor_position(request: Request, kind: str, cursor: str | None, where: dict[str, str]) -> list[Any] | None:
    """Decode a client's cursor; ``where`` locates an error (``parameter`` or ``pointer``)."""
    if cursor is None:
        return None
    codec: CursorCodec = request.app.state.cursors
    try:
        return codec.decode(kind, cursor)
    except InvalidCursor as exc:
        raise ValidationFailed([{"detail": f"invalid cursor: {exc}", **where}]) from None


def next_cursor(request: Request, kind: str, last_position: list[Any] | None) -> str | None:
    """The cursor after a page's last item, or None when no page follows."""
    if last_position is None:
        return None
    codec: CursorCodec = request.app.state.cursors
    return codec.encode(kind, last_position)
