"""API keys: how they are made, and the middleware that checks one on every ``/v1`` request."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.db import connect
from service.errors import Forbidden, RateLimited, Unauthorized
from service.ratelimit import rate_limit_fields
from service.repository import sql

KEY_PREFIX = "skn_"
SCOPES = ("read", "write", "admin")
PUBLIC_ID = re.compile(r"[0-9a-f]{12}")
_KEY = re.compile(r"skn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


@dataclasses.dataclass(frozen=True)
class NewKey:
    public_id: str
    secret: str

    @classmethod
    def generate(cls) -> NewKey:
        # 256 bits of secret; the public id only has to be unique.
        return cls(public_id=secrets.token_hex(6), secret=secrets.token_urlsafe(32))

    @property
    def full(self) -> str:
        return f"{KEY_PREFIX}{self.public_id}_{self.secret}"

    @property
    def secret_hash(self) -> bytes:
        return hash_secret(self.secret)


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def prefix_of(public_id: str) -> str:
    return f"{KEY_PREFIX}{public_id}"


async def issue_key(
    conn: Any,
    *,
    workspace_id: int,
    name: str,
    scopes: list[str],
    rate_limit_per_minute: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[Any, str]:
    """Store a new key; return its row and the full key, which is never seen again."""
    key = NewKey.generate()
    row = await sql.create_api_key(
        conn,
        workspace_id=workspace_id,
        public_id=key.public_id,
        secret_hash=key.secret_hash,
        name=name,
        scopes=[scope for scope in SCOPES if scope in scopes],
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=expires_at,
    )
    return row, key.full


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who is asking: the key, its workspace, what it may do."""

    key_id: int
    workspace_id: int
    prefix: str
    scopes: frozenset[str]


def required_scope(method: str, path: str) -> str:
    if path.startswith("/v1/api-keys"):
        return "admin"
    if method in ("GET", "HEAD") or path.startswith("/v1/query/"):
        return "read"
    return "write"


async def authenticate(request: Request) -> Principal:
    """One round trip decides who is asking and whether the bucket allows it.

    Every kind of bad key takes the same path, database call included, so a
    client learns nothing from the answer or its timing.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    match = _KEY.fullmatch(token.strip()) if scheme.lower() == "bearer" else None
    public_id, secret = match.groups() if match else ("", "")
    secret_hash = hash_secret(secret)
    async with connect(request) as db:
        row = await sql.authenticate_request(
            db,
            public_id=public_id,
            secret_hash=secret_hash,
            default_rate_limit=request.app.state.settings.rate_limit,
        )
    if row is None or not hmac.compare_digest(row["secret_hash"], secret_hash) or match is None:
        raise Unauthorized()
    headers, wait = rate_limit_fields(row["capacity"], row["tokens"])
    request.state.response_headers.update(headers)
    if not row["allowed"]:
        raise RateLimited(retry_after=wait, headers=headers)
    scopes = frozenset(row["scopes"])
    if required_scope(request.method, request.url.path) not in scopes:
        raise Forbidden()
    return Principal(
        key_id=row["key_id"],
        workspace_id=row["workspace_id"],
        prefix=prefix_of(row["public_id"]),
        scopes=scopes,
    )


class AuthMiddleware:
    """Wraps the ``/v1`` mount: inside the exception handlers, so refusals are problems."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            request.state.principal = await authenticate(request)
        await self.app(scope, receive, send)


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal
