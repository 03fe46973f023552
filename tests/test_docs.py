"""/docs: Swagger UI from Skein itself, reading an OpenAPI 3.0 rendition of the same document."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field, Json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from service.docs import openapi_30
from service.models import RequestBody
from service.openapi import build_document
from service.routing import operation, route
from tests.serving import Server

BROWSER_SECONDS = 60
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--dump-dom",
    "--virtual-time-budget=10000",
)


def _asset_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


async def test_the_docs_page_is_swagger_ui_with_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "SwaggerUIBundle" in response.text
    assert '"/docs/openapi-3.0.json"' in response.text
    assert "http:" not in response.text and "https:" not in response.text
    assert all(url.startswith("/docs/static/") for url in _asset_urls(response.text))


async def test_every_asset_of_the_docs_page_is_served(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    for url in _asset_urls(page):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 100, url


async def test_the_docs_read_a_valid_openapi_30_rendition_of_the_same_operations(client: httpx.AsyncClient) -> None:
    original = (await client.get("/openapi.json")).json()
    rendition = (await client.get("/docs/openapi-3.0.json")).json()
    assert rendition["openapi"] == "3.0.3"
    validate(rendition)
    assert {path: set(item) for path, item in rendition["paths"].items()} == {
        path: set(item) for path, item in original["paths"].items()
    }
    assert rendition["paths"]["/v1/api-keys"]["get"]["x-required-scope"] == "admin"


class Inner(BaseModel):
    name: str


class Shapes(RequestBody):
    kind: Literal["shape"]
    inner: Inner | None = None
    size: Annotated[int, Field(gt=0, lt=10, examples=[3])]
    note: str | None = None
    encoded: Json[dict[str, int]] | None = None


@operation(summary="Take shapes", scope="write", body=Shapes)
async def take_shapes(request: Request) -> Response:
    raise NotImplementedError


def test_the_30_rendition_spells_json_schema_2020_the_30_way() -> None:
    document = build_document(Starlette(routes=[Mount("/v1", routes=[route("/shapes", POST=take_shapes)])]))
    rendition = openapi_30(document)
    validate(rendition)
    shapes: dict[str, Any] = rendition["components"]["schemas"]["Shapes"]["properties"]
    assert shapes["kind"]["enum"] == ["shape"]
    assert shapes["inner"]["allOf"] == [{"$ref": "#/components/schemas/Inner"}] and shapes["inner"]["nullable"]
    assert (shapes["size"]["minimum"], shapes["size"]["exclusiveMinimum"]) == (0, True)
    assert (shapes["size"]["maximum"], shapes["size"]["exclusiveMaximum"]) == (10, True)
    assert shapes["size"]["example"] == 3
    assert (shapes["note"]["type"], shapes["note"]["nullable"]) == ("string", True)
    assert "contentSchema" in document["components"]["schemas"]["Shapes"]["properties"]["encoded"]["anyOf"][0]
    assert shapes["encoded"] == {"type": "string", "nullable": True, "title": "Encoded", "default": None}
    assert rendition["paths"]["/v1/shapes"]["post"]["security"] == [{"bearer": []}]


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("chromium is missing in CI; .ci/run must call scripts/install-chromium")
    pytest.skip("chromium is not installed (scripts/install-chromium installs it); CI runs this test")


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="scripts/install-chromium"):
        _chromium()


@pytest.mark.slow
def test_the_docs_list_the_routes_in_a_headless_browser(server: Server, tmp_path: Path) -> None:
    chromium = _chromium()
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path}", f"{server.url}/docs"],
        capture_output=True,
        timeout=BROWSER_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    dom = result.stdout.decode(errors="replace")
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    assert "Unable to render" not in dom
    for path in ("/v1/api-keys", "/v1/api-keys/{id}", "/openapi.json", "/metrics"):
        assert f'data-path="{path}"' in dom, path
