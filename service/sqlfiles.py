"""Hand-written SQL files, loaded once into callable repository functions.

Each file under ``sql/<area>/`` holds one query. Its header declares how the
result is read and which parameters it takes::

    -- returns: row
    -- params: workspace_id, type, key
    -- Fetch one node by its natural key.
    select ... where workspace_id = :workspace_id and type = :type ...

``:name`` parameters are rewritten to asyncpg's ``$n`` once, at load time;
quoted strings, quoted identifiers, comments and ``::casts`` are left alone,
and a repeated name reuses its ``$n``. The file name is the function's name.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import asyncpg

SQL_DIR = Path(__file__).resolve().parent / "sql"

RESULT_KINDS = ("row", "rows", "value", "status")

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class SqlFileError(Exception):
    """A SQL file that cannot be loaded; raised at load time, never per request."""


class Connection(Protocol):
    """What a repository function needs: asyncpg's connection or our per-request wrapper."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> str: ...


@dataclasses.dataclass(frozen=True)
class Query:
    name: str
    path: Path
    sql: str
    params: tuple[str, ...]
    returns: str

    async def __call__(self, conn: Connection, /, **values: Any) -> Any:
        args = self.bind(values)
        if self.returns == "row":
            return await conn.fetchrow(self.sql, *args)
        if self.returns == "rows":
            return await conn.fetch(self.sql, *args)
        if self.returns == "value":
            return await conn.fetchval(self.sql, *args)
        return await conn.execute(self.sql, *args)

    async def explain(self, conn: asyncpg.Connection, values: dict[str, Any], *, analyze: bool = False) -> list[str]:
        """The plan PostgreSQL runs this query with on ``conn``, one line per item.

        On a pool connection (``service.db.SERVER_SETTINGS``, whose
        ``plan_cache_mode`` forces generic plans) that is the generic plan
        the service runs. EXPLAIN of the query text with bound parameters
        would show a custom plan made for those values instead, so this
        prepares the query under a name of its own and explains an EXECUTE
        of it, the values written as literals: EXPLAIN EXECUTE takes no bound
        parameters, which makes this the one place SQL text is assembled in
        Python, a tool for maintainers and tests around a file's own query.
        ``analyze`` runs the query, writes included.
        """
        # A protocol-level statement: asyncpg closes it when it is dropped,
        # even if EXPLAIN fails, so nothing stays on a pool connection.
        statement = await conn.prepare(self.sql, name=f"skein_explain_{uuid.uuid4().hex}")
        literals = []
        for parameter, value in zip(statement.get_parameters(), self.bind(values), strict=True):
            type_name = await conn.fetchval("select $1::oid::regtype::text", parameter.oid)
            literal = await conn.fetchval(f"select quote_nullable($1::{type_name})", value)
            literals.append(f"{literal}::{type_name}")
        options = "analyze, buffers" if analyze else "costs"
        rows = await conn.fetch(f"explain ({options}) execute {statement.get_name()}({', '.join(literals)})")
        return [row[0] for row in rows]

    def bind(self, values: dict[str, Any]) -> list[Any]:
        missing = [name for name in self.params if name not in values]
        unknown = sorted(set(values) - set(self.params))
        if missing or unknown:
            raise TypeError(f"{self.name}() missing {missing}, unknown {unknown}")
        return [values[name] for name in self.params]


def rewrite_parameters(text: str) -> tuple[str, tuple[str, ...]]:
    """Rewrite ``:name`` to ``$n``; return the new text and the names in ``$n`` order."""
    out: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "'" or char == '"':
            end = _end_of_quoted(text, i, char)
            out.append(text[i:end])
            i = end
        elif text.startswith("--", i):
            end = text.find("\n", i)
            end = len(text) if end == -1 else end
            out.append(text[i:end])
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise SqlFileError("unterminated /* comment")
            out.append(text[i : end + 2])
            i = end + 2
        elif char == "$" and (tag := _DOLLAR_TAG.match(text, i)):
            end = text.find(tag.group(0), tag.end())
            if end == -1:
                raise SqlFileError(f"unterminated {tag.group(0)} string")
            end += len(tag.group(0))
            out.append(text[i:end])
            i = end
        elif text.startswith("::", i):
            out.append("::")
            i += 2
        elif char == ":" and (name := _NAME.match(text, i + 1)):
            if name.group(0) not in names:
                names.append(name.group(0))
            out.append(f"${names.index(name.group(0)) + 1}")
            i = name.end()
        else:
            out.append(char)
            i += 1
    return "".join(out), tuple(names)


def _end_of_quoted(text: str, start: int, quote: str) -> int:
    i = start + 1
    while True:
        end = text.find(quote, i)
        if end == -1:
            raise SqlFileError(f"unterminated {quote} quote")
        if text.startswith(quote * 2, end):
            i = end + 2
            continue
        return end + 1


def parse_file(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    header = list(_header_lines(text))
    returns = _header_value(header, "returns", path)
    if returns not in RESULT_KINDS:
        raise SqlFileError(f"{path}: 'returns:' must be one of {', '.join(RESULT_KINDS)}")
    declared_text = _header_value(header, "params", path, required=False)
    declared = tuple(p.strip().lstrip(":") for p in declared_text.split(",") if p.strip())
    try:
        sql, used = rewrite_parameters(text)
    except SqlFileError as exc:
        raise SqlFileError(f"{path}: {exc}") from None
    if set(declared) != set(used) or len(declared) != len(set(declared)):
        raise SqlFileError(f"{path}: declared params {sorted(declared)} differ from used {sorted(used)}")
    return Query(name=path.stem, path=path, sql=sql, params=used, returns=returns)


def _header_lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if not line.startswith("--"):
            return
        yield line[2:].strip()


def _header_value(header: Sequence[str], key: str, path: Path, required: bool = True) -> str:
    for line in header:
        if line.startswith(f"{key}:"):
            return line[len(key) + 1 :].strip()
    if required:
        raise SqlFileError(f"{path}: the header has no '-- {key}:' line")
    return ""


class Queries:
    """Every query file under a directory, by file name; ``migrations/`` is not queries."""

    def __init__(self, queries: dict[str, Query]) -> None:
        self._queries = queries

    @classmethod
    def load(cls, root: Path = SQL_DIR) -> Queries:
        found: dict[str, Query] = {}
        for path in sorted(root.glob("*/*.sql")):
            if path.parent.name == "migrations":
                continue
            query = parse_file(path)
            if query.name in found:
                raise SqlFileError(f"{path}: a query named {query.name!r} is already in {found[query.name].path}")
            found[query.name] = query
        return cls(found)

    def __getattr__(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"no SQL file named {name}.sql") from None

    def __iter__(self) -> Iterator[Query]:
        return iter(self._queries.values())
