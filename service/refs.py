"""Node types, keys and refs ("<type>:<key>"): the contract's rules, one function each.

Bodies, path segments, query parameters and import lines all use these, so
they reject the same input with the same words.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

TYPE_PATTERN = "^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
MAX_KEY_LENGTH = 512

_TYPE = re.compile(TYPE_PATTERN[1:-1])
# Unicode's control characters (category Cc): C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def check_type(value: str) -> str:
    if not _TYPE.fullmatch(value):
        raise ValueError(f"must match {TYPE_PATTERN}")
    return value


def check_key(value: str) -> str:
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise ValueError(f"must be 1 to {MAX_KEY_LENGTH} characters")
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def split_ref(text: str) -> tuple[str, str]:
    """A ref's type and key, split at the first ``:``; ValueError when either breaks its rule."""
    node_type, colon, key = text.partition(":")
    if not colon:
        raise ValueError('must be a node reference "<type>:<key>"')
    try:
        check_type(node_type)
    except ValueError as exc:
        raise ValueError(f"the type before the first ':' {exc}") from None
    try:
        check_key(key)
    except ValueError as exc:
        raise ValueError(f"the key after the first ':' {exc}") from None
    return node_type, key


@dataclasses.dataclass(frozen=True)
class NodeRef:
    """A node's natural key; as text, ``"<type>:<key>"``."""

    type: str
    key: str

    @classmethod
    def parse(cls, text: str) -> NodeRef:
        return cls(*split_ref(text))

    def __str__(self) -> str:
        return f"{self.type}:{self.key}"


def ref_of(node_type: str, key: str) -> str:
    return f"{node_type}:{key}"


def check_ref(value: str) -> str:
    split_ref(value)
    return value


NodeType = Annotated[
    str,
    AfterValidator(check_type),
    WithJsonSchema({"type": "string", "pattern": TYPE_PATTERN, "examples": ["service"]}),
]
EdgeType = Annotated[
    str,
    AfterValidator(check_type),
    WithJsonSchema({"type": "string", "pattern": TYPE_PATTERN, "examples": ["depends_on"]}),
]
NodeKey = Annotated[
    str,
    AfterValidator(check_key),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_KEY_LENGTH,
            "description": "Any Unicode but control characters; may hold ':' and '/'.",
        }
    ),
]
Ref = Annotated[
    str,
    AfterValidator(check_ref),
    WithJsonSchema(
        {
            "type": "string",
            "description": 'A node reference "<type>:<key>", split at the first ":".',
            "examples": ["service:checkout"],
        }
    ),
]
