"""The IETF RateLimit fields for a token bucket's state after a request."""

from __future__ import annotations

import math

POLICY = "default"
WINDOW_SECONDS = 60


def rate_limit_fields(capacity: float, tokens: float) -> tuple[dict[str, str], int]:
    """The two header fields, and the whole seconds until one more request is allowed.

    ``tokens`` is the bucket's level after this request: the requests left
    are its whole part, so the k-th request of a fresh key of N leaves N - k.
    """
    remaining = max(math.floor(tokens), 0)
    wait = 0 if remaining > 0 else max(1, math.ceil((1 - tokens) * WINDOW_SECONDS / capacity))
    quota = math.floor(capacity)
    return (
        {
            "RateLimit-Policy": f'"{POLICY}";q={quota};w={WINDOW_SECONDS}',
            "RateLimit": f'"{POLICY}";r={remaining};t={wait}',
        },
        wait,
    )
