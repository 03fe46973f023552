"""Times in and out at the edges of their range: found by the conformance fuzzer."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from service.models import ApiKey
from tests.helpers import assert_problem

VALIDATION = "/problems/validation-error"


def test_a_year_before_1000_renders_with_four_digits() -> None:
    key = ApiKey(
        id="x",
        name="x",
        scopes=["read"],
        prefix="skn_x",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        expires_at=datetime(415, 11, 15, 17, 50, 45, tzinfo=UTC),
        rate_limit_per_minute=1,
    )
    rendered = key.model_dump(mode="json")
    assert rendered["expires_at"] == "0415-11-15T17:50:45.000000Z"
    assert rendered["created_at"] == "2026-01-02T03:04:05.000006Z"


@pytest.mark.parametrize("expires_at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"])
async def test_a_time_beyond_the_years_1_to_9999_in_utc_answers_400(
    client: httpx.AsyncClient, auth: dict[str, str], expires_at: str
) -> None:
    response = await client.post(
        "/v1/api-keys", json={"name": "n", "scopes": ["read"], "expires_at": expires_at}, headers=auth
    )
    body = assert_problem(response, 400, VALIDATION)
    assert body["errors"][0]["pointer"] == "#/expires_at"
