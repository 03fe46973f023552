"""Opaque, signed keyset cursors.

A cursor is the position after the last item of a page, as JSON, with an
HMAC-SHA256 tag. The signing key is made by a migration and kept in the
database, so every worker and instance accepts every other's cursors. The
list kind is signed too: a cursor of one list is no cursor of another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

TAG_BYTES = 16


class InvalidCursor(ValueError):
    """A cursor the server did not issue, or one altered since."""


class CursorCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def encode(self, kind: str, position: list[Any]) -> str:
        payload = json.dumps([kind, position], separators=(",", ":"), ensure_ascii=False).encode()
        return _b64(payload) + "." + _b64(self._tag(payload))

    def decode(self, kind: str, cursor: str) -> list[Any]:
        try:
            payload_text, tag_text = cursor.split(".")
            payload = _unb64(payload_text)
            tag = _unb64(tag_text)
        except ValueError:
            raise InvalidCursor("not a cursor this server issued") from None
        if not hmac.compare_digest(tag, self._tag(payload)):
            raise InvalidCursor("not a cursor this server issued")
        cursor_kind, position = json.loads(payload)
        if cursor_kind != kind:
            raise InvalidCursor("a cursor of another list")
        return list(position)

    def _tag(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:TAG_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("empty or non-ASCII")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc)) from None
