"""``POST /v1/import``: an NDJSON stream of nodes and edges, loaded with COPY in one transaction.

The body is read chunk by chunk as it arrives; each line is validated and
handed straight to a binary ``COPY`` into a temporary staging table, so the
service holds one chunk and one COPY buffer, never the body. Once the
stream ends, one statement merges the staged nodes and one the staged
edges. Parsing in Python and storing in PostgreSQL overlap: they run on
two cores at once.

Time: the per-request ``SKEIN_QUERY_TIMEOUT_MS`` budget cannot hold an
import of any size, so the import's statements run on the raw connection
without it. The COPY, which lasts as long as the upload, has no statement
timeout; each statement after it gets ``SKEIN_QUERY_TIMEOUT_MS`` for every
started ``LINES_PER_TIMEOUT`` lines staged (one timeout for an import of
up to that many lines). A merge past it is cancelled in PostgreSQL and
answers the query-timeout problem; nothing is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import body_errors, media_type
from service.db import connect
from service.errors import UnsupportedMediaType, ValidationFailed
from service.graph_models import ImportLine, ImportResult, NodeRef, UpsertCounts, compact_json
from service.repository import sql
from service.routing import operation, respond, route

NDJSON = "application/x-ndjson"
STAGING_TABLE = "import_staging"
MAX_FAULTS = 100
LINES_PER_TIMEOUT = 5_000


class Lines:
    """Splits a byte stream into numbered lines, keeping at most one line of at most ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.number = 0
        self.too_long: list[int] = []
        self._pending = b""
        self._skipping = False

    def feed(self, chunk: bytes) -> list[tuple[int, bytes]]:
        parts = (self._pending + chunk).split(b"\n")
        self._pending = parts.pop()
        lines = []
        for part in parts:
            self.number += 1
            if self._skipping:
                self._skipping = False
            elif len(part) > self.max_bytes:
                self.too_long.append(self.number)
            else:
                lines.append((self.number, part))
        if len(self._pending) > self.max_bytes:
            if not self._skipping:
                self.too_long.append(self.number + 1)
            self._skipping = True
            self._pending = b""
        return lines

    def end(self) -> list[tuple[int, bytes]]:
        """The last line, when the stream does not end with a newline."""
        if self._skipping or not self._pending:
            return []
        self.number += 1
        return [(self.number, self._pending)]


class Stager:
    """Turns lines into staging rows, and remembers the faults of those that are not valid."""

    def __init__(self, max_line_bytes: int) -> None:
        self.lines = Lines(max_line_bytes)
        self.faults: list[dict[str, Any]] = []
        self.staged = 0

    @property
    def full(self) -> bool:
        return len(self.faults) + len(self.lines.too_long) >= MAX_FAULTS

    def all_faults(self) -> list[dict[str, Any]]:
        too_long = [
            {"line": number, "detail": f"longer than {self.lines.max_bytes} bytes", "pointer": "#"}
            for number in self.lines.too_long
        ]
        return sorted(self.faults + too_long, key=lambda fault: fault["line"])

    async def rows(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[Any, ...]]:
        async for chunk in chunks:
            for number, text in self.lines.feed(chunk):
                row = self.row(number, text)
                if row is not None:
                    yield row
            if self.full:
                return
        for number, text in self.lines.end():
            row = self.row(number, text)
            if row is not None:
                yield row

    def row(self, number: int, text: bytes) -> tuple[Any, ...] | None:
        if not text.strip():
            return None
        try:
            line = ImportLine.model_validate_json(text)
        except pydantic.ValidationError as exc:
            self.faults += [{"line": number, **fault} for fault in body_errors(exc.errors())]
            return None
        self.staged += 1
        if line.node is not None:
            node = line.node
            return (number, node.type, node.key, None, None, None, None, None, _properties(node.properties))
        assert line.edge is not None
        edge = line.edge
        source, target = NodeRef.parse(edge.source), NodeRef.parse(edge.target)
        properties = _properties(edge.properties)
        return (number, None, None, source.type, source.key, edge.type, target.type, target.key, properties)


def _properties(properties: dict[str, Any]) -> str | None:
    # Most lines have none: null is staged and read back as {}.
    return compact_json(properties) if properties else None


def missing_end_faults(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {"line": row["line"], "detail": "no such node in this workspace or this import", "pointer": f"#/edge/{end}"}
        for row in rows
        for end in ("source", "target")
        if row[f"{end}_missing"]
    ]


@operation(
    summary="Load an NDJSON stream of nodes and edges in one transaction; the fast path for millions of edges",
    scope="write",
    body=ImportLine,
    body_media_types=(NDJSON,),
    responses={200: ImportResult},
)
async def post_import(request: Request) -> Response:
    if media_type(request) != NDJSON:
        raise UnsupportedMediaType(f"The request body must be {NDJSON}.")
    settings = request.app.state.settings
    workspace_id = principal_of(request).workspace_id
    stager = Stager(max_line_bytes=settings.max_body_bytes)
    async with connect(request) as db, db.conn.transaction():
        conn = db.conn
        await sql.configure_import(conn, statement_timeout="0")
        await sql.create_import_staging(conn)
        await conn.copy_records_to_table(STAGING_TABLE, records=stager.rows(request.stream()))
        if stager.full:
            raise ValidationFailed(stager.all_faults(), detail="The import has bad lines; nothing was written.")
        periods = 1 + stager.staged // LINES_PER_TIMEOUT
        await sql.configure_import(conn, statement_timeout=str(settings.query_timeout_ms * periods))
        await sql.analyze_import_staging(conn)
        nodes = await sql.merge_import_nodes(conn, workspace_id=workspace_id)
        missing = await sql.find_import_missing_ends(conn, workspace_id=workspace_id, limit=MAX_FAULTS)
        faults = sorted(stager.all_faults() + missing_end_faults(missing), key=lambda fault: fault["line"])
        if faults:
            raise ValidationFailed(faults, detail="The import has bad lines; nothing was written.")
        edges = await sql.merge_import_edges(conn, workspace_id=workspace_id)
    return respond(
        ImportResult(
            nodes=UpsertCounts(created=nodes["created"], updated=nodes["updated"]),
            edges=UpsertCounts(created=edges["created"], updated=edges["updated"]),
        )
    )


routes = [route("/import", POST=post_import)]
