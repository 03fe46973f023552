"""Node types, keys and refs ("<type>:<key>") as the contract defines them."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

TYPE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
_TYPE = re.compile(TYPE_PATTERN)
MAX_KEY_LENGTH = 512


def check_type(value: str) -> str:
    if not _TYPE.fullmatch(value):
        raise ValueError("must be a letter, then up to 63 letters, digits, '_', '.' or '-'")
    return value


def check_key(value: str) -> str:
    if not 1 <= len(value) <= MAX_KEY_LENGTH:
        raise ValueError(f"a key is 1 to {MAX_KEY_LENGTH} characters")
    # Control characters are refused by the contract; lone surrogates cannot be stored as UTF-8.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("a key may not hold control characters")
    return value


def split_ref(value: str) -> tuple[str, str]:
    """A ref splits at its first ':' (a type never holds one; a key may)."""
    node_type, colon, key = value.partition(":")
    if not colon:
        raise ValueError("a ref is '<type>:<key>'")
    return check_type(node_type), check_key(key)


def check_ref(value: str) -> str:
    split_ref(value)
    return value


def ref_of(node_type: str, key: str) -> str:
    return f"{node_type}:{key}"


TypeName = Annotated[str, AfterValidator(check_type)]
Ref = Annotated[str, AfterValidator(check_ref)]
