"""The ``skein`` command: exit 0 on success, 2 on bad usage, one stderr line on failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import closed_loopback_port

SKEIN = Path(sys.executable).with_name("skein")


def run(args: list[str], cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    # Only what the test sets: a developer's own DATABASE_URL or SKEIN_* must not leak in.
    environ = {name: value for name, value in os.environ.items() if not name.startswith(("SKEIN_", "DATABASE_URL"))}
    return subprocess.run(
        args, cwd=cwd, env={**environ, **variables}, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_bad_setting_exits_2_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = run([sys.executable, "-m", "service", "migrate"], tmp_path, SKEIN_MAX_DEPTH="abc")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "SKEIN_MAX_DEPTH" in result.stderr


def test_migrate_against_the_test_database_exits_0(tmp_path: Path, database_url: str) -> None:
    result = run([str(SKEIN), "migrate"], tmp_path, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert "migrations applied" in result.stdout


def test_an_unknown_subcommand_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run([str(SKEIN), "frobnicate"], tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "frobnicate" in result.stderr


def test_an_unreachable_database_exits_1_with_one_line(tmp_path: Path) -> None:
    with closed_loopback_port() as port:
        result = run([str(SKEIN), "migrate"], tmp_path, DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/skein")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
