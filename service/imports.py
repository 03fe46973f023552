"""``POST /v1/import``: an NDJSON stream of nodes and edges, loaded with COPY in one transaction.

The body is read chunk by chunk as it arrives and validated line by line
into batches of ``BATCH_LINES``. Each batch is copied (binary ``COPY``) into
a temporary staging table and merged into the graph by two set-based
statements, nodes then edges, while the next batch is being parsed: Python
and PostgreSQL work at once, on two cores, and the service never holds more
than two batches, whatever the size of the body. An edge line whose ends do
not exist yet waits in a second temporary table until the stream ends (a
later line may create them); what still has a missing end then is a bad
line. One transaction throughout: any bad line, and nothing is written.

Time: the per-request ``SKEIN_QUERY_TIMEOUT_MS`` budget cannot hold an
import of any size, so the import's statements run on the raw connection
without it. Each statement instead has a server-side ``statement_timeout``
of ``SKEIN_QUERY_TIMEOUT_MS`` for every started ``LINES_PER_TIMEOUT`` lines
it handles: a batch statement gets ``1 + BATCH_LINES / LINES_PER_TIMEOUT``
of them, the last merge of waiting edge lines as many as their number asks.
A statement past its timeout is cancelled in PostgreSQL and the import
answers the query-timeout problem; nothing is written. The upload itself
has no time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pydantic
from starlette.requests import Request
from starlette.responses import Response

from service.auth import principal_of
from service.bodies import body_errors, media_type
from service.db import connect
from service.errors import UnsupportedMediaType, ValidationFailed
from service.graph_models import ImportLine, ImportResult, UpsertCounts, compact_json
from service.repository import sql
from service.routing import operation, respond, route
from service.settings import Settings

NDJSON = "application/x-ndjson"
STAGING_TABLE = "import_staging"
MAX_FAULTS = 100
# Small enough that two batches in memory stay a few tens of megabytes,
# large enough that a merge's fixed costs vanish in its per-line costs.
BATCH_LINES = 25_000
# About a millisecond of parsing.
YIELD_LINES = 64
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
    """Turns lines into batches of staging rows, and remembers the faults of those that are not valid."""

    def __init__(self, max_line_bytes: int) -> None:
        self.lines = Lines(max_line_bytes)
        self.faults: list[dict[str, Any]] = []

    @property
    def full(self) -> bool:
        return len(self.faults) + len(self.lines.too_long) >= MAX_FAULTS

    def all_faults(self) -> list[dict[str, Any]]:
        too_long = [
            {"line": number, "detail": f"longer than {self.lines.max_bytes} bytes", "pointer": "#"}
            for number in self.lines.too_long
        ]
        return sorted(self.faults + too_long, key=lambda fault: fault["line"])

    async def batches(self, chunks: AsyncIterator[bytes]) -> AsyncGenerator[list[tuple[Any, ...]], None]:
        """Batches of BATCH_LINES rows, the last one shorter; stops reading at MAX_FAULTS faults."""
        batch: list[tuple[Any, ...]] = []
        async for chunk in chunks:
            for number, text in self.lines.feed(chunk):
                row = self.row(number, text)
                if row is not None:
                    batch.append(row)
                    if len(batch) == BATCH_LINES:
                        yield batch
                        batch = []
                if number % YIELD_LINES == 0:
                    # Parsing never suspends by itself (reading a buffered
                    # body does not either): let the merge running beside it
                    # send its next COPY buffer or statement.
                    await asyncio.sleep(0)
            if self.full:
                return
        batch += filter(None, (self.row(number, text) for number, text in self.lines.end()))
        if batch:
            yield batch

    def row(self, number: int, text: bytes) -> tuple[Any, ...] | None:
        if not text.strip():
            return None
        try:
            line = ImportLine.model_validate_json(text)
        except pydantic.ValidationError as exc:
            self.faults += [{"line": number, **fault} for fault in body_errors(exc.errors())]
            return None
        if line.node is not None:
            node = line.node
            return (number, node.type, node.key, None, None, None, None, None, _properties(node.properties))
        assert line.edge is not None
        edge = line.edge
        # Both refs are valid: the model checked them.
        source_type, _, source_key = edge.source.partition(":")
        target_type, _, target_key = edge.target.partition(":")
        properties = _properties(edge.properties)
        return (number, None, None, source_type, source_key, edge.type, target_type, target_key, properties)


@dataclasses.dataclass
class Totals:
    nodes_created: int = 0
    nodes_updated: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    pending: int = 0

    def result(self) -> ImportResult:
        return ImportResult(
            nodes=UpsertCounts(created=self.nodes_created, updated=self.nodes_updated),
            edges=UpsertCounts(created=self.edges_created, updated=self.edges_updated),
        )


def timeout_ms(settings: Settings, lines: int) -> str:
    return str(settings.query_timeout_ms * (1 + lines // LINES_PER_TIMEOUT))


async def merge_batch(conn: Any, workspace_id: int, rows: list[tuple[Any, ...]], totals: Totals) -> None:
    await sql.truncate_import_staging(conn)
    await conn.copy_records_to_table(STAGING_TABLE, records=rows)
    nodes = await sql.merge_import_nodes(conn, workspace_id=workspace_id)
    if nodes["repeated"]:
        await sql.rewrite_import_nodes(conn, workspace_id=workspace_id)
    edges = await sql.merge_import_edges(conn, workspace_id=workspace_id)
    if edges["repeated"]:
        await sql.rewrite_import_edges(conn, workspace_id=workspace_id)
    totals.nodes_created += nodes["created"]
    totals.nodes_updated += nodes["updated"]
    totals.edges_created += edges["created"]
    totals.edges_updated += edges["updated"]
    totals.pending += edges["pending"]


async def merge_stream(conn: Any, workspace_id: int, batches: AsyncIterator[list[tuple[Any, ...]]]) -> Totals:
    """Merge each batch in a task of its own while the next one is parsed; one merge at a time."""
    totals = Totals()
    merging: asyncio.Task[None] | None = None
    try:
        async for rows in batches:
            if merging is not None:
                await merging
            merging = asyncio.create_task(merge_batch(conn, workspace_id, rows, totals))
        if merging is not None:
            await merging
    finally:
        if merging is not None and not merging.done():
            # Reading failed mid-merge: the connection must be free before the rollback.
            merging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await merging
    return totals


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
    settings: Settings = request.app.state.settings
    workspace_id = principal_of(request).workspace_id
    stager = Stager(max_line_bytes=settings.max_body_bytes)
    async with connect(request) as db, db.conn.transaction():
        conn = db.conn
        await sql.configure_import(conn, statement_timeout=timeout_ms(settings, BATCH_LINES))
        await sql.create_import_staging(conn)
        await sql.create_import_pending(conn)
        async with contextlib.aclosing(stager.batches(request.stream())) as batches:
            totals = await merge_stream(conn, workspace_id, batches)
        faults = stager.all_faults()
        if totals.pending and not stager.full:
            await sql.configure_import(conn, statement_timeout=timeout_ms(settings, totals.pending))
            missing = await sql.find_import_missing_ends(conn, workspace_id=workspace_id, limit=MAX_FAULTS)
            faults = sorted(faults + missing_end_faults(missing), key=lambda fault: fault["line"])
            if not faults:
                edges = await sql.merge_import_pending_edges(conn, workspace_id=workspace_id)
                totals.edges_created += edges["created"]
                totals.edges_updated += edges["updated"]
        if faults:
            raise ValidationFailed(faults, detail="The import has bad lines; nothing was written.")
    return respond(totals.result())


routes = [route("/import", POST=post_import)]
