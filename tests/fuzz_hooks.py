"""Schemathesis extensions, loaded by tests/test_conformance.py and by scripts/fuzz (SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson_lines(ctx: schemathesis.SerializationContext, value: Any) -> bytes:
    """An NDJSON body (``POST /v1/import``) is documented by the model of one line: send a value as one line."""
    return (json.dumps(value) + "\n").encode()
