"""Every SQL file, the benchmarks' included, parses, loads and prepares against the migrated schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from service.repository import sql
from service.sqlfiles import Queries, SqlFileError, parse_file, rewrite_parameters
from tests.helpers import test_sql

# The benchmarks' statements too: scripts/bench runs them on Skein's schema.
bench_sql = Queries.load(Path(__file__).resolve().parent.parent / "scripts" / "sql")
ALL_QUERIES = sorted([*sql, *test_sql, *bench_sql], key=lambda query: query.name)


@pytest.mark.parametrize("query", ALL_QUERIES, ids=[query.name for query in ALL_QUERIES])
async def test_query_prepares_against_the_schema(app: Starlette, query) -> None:
    async with app.state.pool.acquire() as conn:
        statement = await conn.prepare(query.sql)
        assert len(statement.get_parameters()) == len(query.params)


def test_parameters_become_numbered_and_repeat() -> None:
    text, names = rewrite_parameters("select :a, :b, :a")
    assert text == "select $1, $2, $1"
    assert names == ("a", "b")


def test_casts_strings_identifiers_and_comments_are_left_alone() -> None:
    source = "select x::int, ':no', \"a:b\", $$ :no $$, $t$ :no $t$ -- :no\n/* :no */ from t where y = :yes"
    text, names = rewrite_parameters(source)
    assert names == ("yes",)
    assert text.endswith("where y = $1")
    assert ":no" in text and "x::int" in text


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / "area" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(body)
    return path


def test_a_used_but_undeclared_parameter_fails_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.sql", "-- returns: value\n-- params: a\nselect :a + :b;\n")
    with pytest.raises(SqlFileError, match="declared params"):
        parse_file(path)


def test_a_declared_but_unused_parameter_fails_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.sql", "-- returns: value\n-- params: a, b\nselect :a;\n")
    with pytest.raises(SqlFileError, match="declared params"):
        parse_file(path)


def test_a_file_without_a_result_kind_fails_at_load(tmp_path: Path) -> None:
    path = _write(tmp_path, "q.sql", "-- Selects one.\nselect 1;\n")
    with pytest.raises(SqlFileError, match="returns:"):
        parse_file(path)


def test_two_files_with_one_name_fail_at_load(tmp_path: Path) -> None:
    _write(tmp_path, "same.sql", "-- returns: value\nselect 1;\n")
    other = tmp_path / "other" / "same.sql"
    other.parent.mkdir()
    other.write_text("-- returns: value\nselect 2;\n")
    with pytest.raises(SqlFileError, match="already"):
        Queries.load(tmp_path)


async def test_calling_with_a_missing_parameter_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="missing"):
        await sql.create_workspace(None)  # type: ignore[arg-type]


async def test_explain_shows_the_generic_plan_the_pool_runs(app: Starlette, workspace: int) -> None:
    async with app.state.pool.acquire() as conn:
        values = {"workspace_id": workspace, "type": "svc", "key": "a"}
        plan = "\n".join(await sql.get_node.explain(conn, values))
    # A custom plan would show the values themselves.
    assert "$1" in plan
    assert "'svc'" not in plan
