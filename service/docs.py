"""``GET /docs``: Swagger UI served by Skein itself from the swagger-ui-bundle package, so it works offline.

That package ships Swagger UI 4, which refuses OpenAPI 3.1 documents ("does not
specify a valid version field"). The page therefore reads an OpenAPI 3.0
rendition of ``/openapi.json``, derived from it mechanically on first use:
the same operations and models, with 3.1's JSON Schema spelled the 3.0 way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from service.models import OpenApiDocument
from service.openapi import openapi_json
from service.routing import operation, route

STATIC_PATH = "/docs/static"
SPEC_PATH = "/docs/openapi-3.0.json"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Skein API</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js" charset="utf-8"></script>
<script>
window.ui = SwaggerUIBundle({{
  url: "{spec}",
  dom_id: "#swagger-ui",
  deepLinking: true,
  // Without this, Swagger UI asks an online validator about the document.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
}});
</script>
</body>
</html>
"""


@operation(summary="Interactive API documentation (Swagger UI), served offline", text="text/html")
async def docs_page(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return HTMLResponse(_PAGE.format(static=root + STATIC_PATH, spec=root + SPEC_PATH))


@operation(
    summary="/openapi.json as OpenAPI 3.0, for the Swagger UI of /docs, which predates 3.1",
    responses={200: OpenApiDocument},
)
async def openapi_30_document(request: Request) -> Response:
    app: Starlette = request.app
    cached: bytes | None = getattr(app.state, "openapi_30_json", None)
    if cached is None:
        cached = json.dumps(openapi_30(json.loads(openapi_json(app))), separators=(",", ":")).encode()
        app.state.openapi_30_json = cached
    return Response(cached, media_type="application/json")


def openapi_30(document: dict[str, Any]) -> dict[str, Any]:
    """A 3.1 document in 3.0 terms: every schema rewritten, role names dropped from security."""
    converted = _outside_schemas(document)
    converted["openapi"] = "3.0.3"
    components = converted.get("components", {})
    components["schemas"] = {name: _schema(schema) for name, schema in components.get("schemas", {}).items()}
    return converted


def _outside_schemas(node: Any) -> Any:
    """Walk the OpenAPI objects; only a ``schema`` member holds a JSON Schema."""
    if isinstance(node, list):
        return [_outside_schemas(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "schema":
            out[key] = _schema(value)
        elif key == "security":
            # 3.0 allows scope names only for OAuth2 schemes; x-required-scope still names it.
            out[key] = [{name: [] for name in requirement} for requirement in value]
        else:
            out[key] = _outside_schemas(value)
    return out


_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
# What a 3.0 Schema Object may hold; newer keywords (contentMediaType, say) are
# left out of the rendition, descriptions still say what they meant.
# fmt: off
_KEYWORDS_30 = frozenset({
    "$ref", "title", "description", "default", "example", "deprecated", "readOnly", "writeOnly", "nullable",
    "type", "format", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties",
    "required", "allOf", "anyOf", "oneOf", "not", "items", "properties", "additionalProperties", "discriminator",
    "xml", "externalDocs",
})
# fmt: on
_SUBSCHEMAS = ("items", "not", "additionalProperties")
_NULL = {"type": "null"}


def _schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in _SUBSCHEMA_LISTS:
        if key in out:
            out[key] = [_schema(item) for item in out[key]]
    for key in _SUBSCHEMAS:
        if key in out:
            out[key] = _schema(out[key])
    if "properties" in out:
        out["properties"] = {name: _schema(value) for name, value in out["properties"].items()}
    if "const" in out:
        out["enum"] = [out.pop("const")]
    if isinstance(out.get("examples"), list) and out["examples"]:
        out["example"] = out.pop("examples")[0]
    for exclusive, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        # 3.1 gives the bound itself; 3.0 a flag on minimum or maximum.
        if isinstance(out.get(exclusive), int | float) and not isinstance(out[exclusive], bool):
            out[bound] = out[exclusive]
            out[exclusive] = True
    if _NULL in out.get("anyOf", ()):
        out = _nullable_any_of(out)
    return {key: value for key, value in out.items() if key in _KEYWORDS_30 or key.startswith("x-")}


def _nullable_any_of(schema: dict[str, Any]) -> dict[str, Any]:
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    kept = [option for option in schema["anyOf"] if option != _NULL]
    if len(kept) != 1:
        return {**rest, "anyOf": kept, "nullable": True}
    if "$ref" in kept[0]:
        # 3.0 ignores a $ref's siblings, so nullable would be lost beside it.
        return {**rest, "allOf": kept, "nullable": True}
    return {**rest, **kept[0], "nullable": True}


routes = [
    route("/docs", GET=docs_page),
    route(SPEC_PATH, GET=openapi_30_document),
    Mount(STATIC_PATH, app=StaticFiles(directory=Path(str(swagger_ui_path))), name="docs-static"),
]
