"""The soak's short form: a mixed load with no failed request and memory that holds still."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import pytest

pytestmark = pytest.mark.slow

SOAK = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"


async def test_a_short_soak_has_no_errors_and_bounded_memory(database_url: str) -> None:
    result = await anyio.run_process(
        [sys.executable, str(SOAK), "--seconds", "8", "--database-url", database_url],
        env=os.environ.copy(),
        check=False,
    )
    report = result.stdout.decode()
    assert result.returncode == 0, report + result.stderr.decode()
    assert "errors: 0" in report
