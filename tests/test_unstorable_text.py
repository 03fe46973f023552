"""Text PostgreSQL cannot store (U+0000) is the client's fault wherever it is sent: 400, never 500.

Found by the conformance fuzzer: a NUL in a key's name or id reached PostgreSQL
and came back as an unknown database error.
"""

from __future__ import annotations

import httpx

from tests.helpers import assert_problem

VALIDATION = "/problems/validation-error"


async def test_a_nul_in_a_body_member_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/api-keys", json={"name": "a\x00b", "scopes": ["read"]}, headers=auth)
    body = assert_problem(response, 400, VALIDATION)
    assert "U+0000" in body["errors"][0]["detail"]


async def test_a_nul_in_a_key_id_is_an_id_no_key_has(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    # Ids are checked against their pattern first, so this one never reaches PostgreSQL.
    assert_problem(await client.delete("/v1/api-keys/a%00b", headers=auth), 404)
