"""/v1/api-keys: create (the key shown once), list with paging, revoke."""

from __future__ import annotations

import httpx

from tests.conftest import KeyFactory, bearer
from tests.helpers import assert_problem, public_id_of

VALIDATION = "/problems/validation-error"


async def test_creating_a_key_shows_it_once(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/api-keys",
        json={"name": "ci", "scopes": ["read", "write"], "rate_limit_per_minute": 60},
        headers=auth,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith(body["prefix"] + "_")
    assert body["prefix"] == f"skn_{body['id']}"
    assert body["scopes"] == ["read", "write"]
    assert body["rate_limit_per_minute"] == 60
    assert body["expires_at"] is None
    assert body["created_at"].endswith("Z")
    listed = (await client.get("/v1/api-keys", headers=auth)).json()["items"]
    mine = next(item for item in listed if item["id"] == body["id"])
    assert "key" not in mine
    assert body["key"] not in str(listed)


async def test_a_new_key_works_at_once(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    created = (await client.post("/v1/api-keys", json={"name": "a", "scopes": ["admin"]}, headers=auth)).json()
    assert (await client.get("/v1/api-keys", headers=bearer(created["key"]))).status_code == 200


async def test_listing_shows_last_use_and_revocation(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    admin = await make_key()
    other = await make_key(["admin"])
    await client.get("/v1/api-keys", headers=bearer(other))
    await client.delete(f"/v1/api-keys/{public_id_of(other)}", headers=bearer(admin))
    items = {item["id"]: item for item in (await client.get("/v1/api-keys", headers=bearer(admin))).json()["items"]}
    revoked = items[public_id_of(other)]
    assert revoked["last_used_at"].endswith("Z")
    assert revoked["revoked_at"].endswith("Z")
    assert items[public_id_of(admin)]["revoked_at"] is None


async def test_a_revoked_key_answers_401_from_then_on(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    admin = await make_key()
    victim = await make_key(["admin"])
    assert (await client.delete(f"/v1/api-keys/{public_id_of(victim)}", headers=bearer(admin))).status_code == 204
    assert_problem(await client.get("/v1/api-keys", headers=bearer(victim)), 401)


async def test_revoking_twice_is_still_204(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    admin = await make_key()
    victim = await make_key()
    for _ in range(2):
        assert (await client.delete(f"/v1/api-keys/{public_id_of(victim)}", headers=bearer(admin))).status_code == 204


async def test_revoking_an_unknown_key_answers_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert_problem(await client.delete("/v1/api-keys/000000000000", headers=auth), 404)


async def test_keys_page_in_creation_order(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    admin = await make_key()
    created = [public_id_of(admin)] + [public_id_of(await make_key()) for _ in range(4)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/api-keys", params=params, headers=bearer(admin))).json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == created


async def test_an_altered_cursor_answers_400(client: httpx.AsyncClient, make_key: KeyFactory) -> None:
    admin = await make_key()
    await make_key()
    cursor = (await client.get("/v1/api-keys", params={"limit": "1"}, headers=bearer(admin))).json()["next_cursor"]
    payload, tag = cursor.split(".")
    altered = payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + tag
    for bad in (altered, "not-a-cursor", cursor + "x"):
        response = await client.get("/v1/api-keys", params={"cursor": bad}, headers=bearer(admin))
        body = assert_problem(response, 400, VALIDATION)
        assert body["errors"][0]["parameter"] == "cursor"


async def test_limit_out_of_range_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for limit in ("0", "1001", "ten"):
        response = await client.get("/v1/api-keys", params={"limit": limit}, headers=auth)
        body = assert_problem(response, 400, VALIDATION)
        assert body["errors"] == [{"detail": body["errors"][0]["detail"], "parameter": "limit"}]
    over = await client.get("/v1/api-keys", params={"limit": "1001"}, headers=auth)
    assert over.json()["errors"][0]["detail"] == "must be at most 1000"


async def test_an_unknown_query_parameter_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = assert_problem(await client.get("/v1/api-keys", params={"limt": "5"}, headers=auth), 400, VALIDATION)
    assert body["errors"][0]["parameter"] == "limt"


async def test_bad_create_bodies_point_at_every_fault(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/api-keys",
        json={"name": "", "scopes": ["read", "root"], "rate_limit_per_minute": 0, "expires_at": "soon", "x": 1},
        headers=auth,
    )
    body = assert_problem(response, 400, VALIDATION)
    pointers = sorted(error["pointer"] for error in body["errors"])
    assert pointers == ["#/expires_at", "#/name", "#/rate_limit_per_minute", "#/scopes/1", "#/x"]


async def test_missing_members_are_named(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    body = assert_problem(await client.post("/v1/api-keys", json={}, headers=auth), 400, VALIDATION)
    assert {error["pointer"]: error["detail"] for error in body["errors"]} == {
        "#/name": "is required",
        "#/scopes": "is required",
    }


async def test_malformed_json_answers_400(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/api-keys", content=b'{"name": ', headers={**auth, "Content-Type": "application/json"}
    )
    assert_problem(response, 400, VALIDATION)


async def test_a_non_json_body_answers_415(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post("/v1/api-keys", content=b"name=x", headers={**auth, "Content-Type": "text/plain"})
    assert_problem(response, 415)


async def test_a_body_over_the_limit_answers_413(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    huge = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = await client.post("/v1/api-keys", content=huge, headers={**auth, "Content-Type": "application/json"})
    assert_problem(response, 413)
    assert response.json()["title"] == "Content Too Large"


async def test_a_wrong_method_answers_405_with_allow(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.put("/v1/api-keys", headers=auth)
    assert_problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}


async def test_revoking_an_id_no_key_could_have_answers_404(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for bad in ("NOT-HEX-AT-ALL", "0" * 13, "0" * 11):
        assert_problem(await client.delete(f"/v1/api-keys/{bad}", headers=auth), 404)


async def test_a_route_without_query_parameters_refuses_one(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    for response in (
        await client.delete("/v1/api-keys/000000000000", params={"force": "1"}, headers=auth),
        await client.post("/v1/query/neighbors", params={"bogus": "1"}, json={"node": "t:k"}, headers=auth),
    ):
        body = assert_problem(response, 400, VALIDATION)
        assert [error["parameter"] for error in body["errors"]] in (["force"], ["bogus"])
