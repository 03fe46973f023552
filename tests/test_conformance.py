"""Schemathesis against a real ``skein serve``: no 5xx, and every answer exactly as /openapi.json says.

Over loopback, not in-process: schemathesis's ASGI mode runs its own event
loop, which the app's pool must never meet. Each operation of the served
document is a Hypothesis strategy, fed valid requests and then invalid ones
(which must be refused as documented too). ``scripts/fuzz`` runs schemathesis's
own runner with the same checks and a larger budget.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import tests.fuzz_hooks  # noqa: F401  (registers the serializers)
from tests.conftest import bearer
from tests.serving import Server, create_workspace

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session")
def fuzz_key(database_url: str) -> str:
    """An admin, read and write key in a workspace of the fuzzer's own."""
    return create_workspace(database_url)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE])
def test_every_answer_is_as_documented(server: Server, fuzz_key: str, mode: schemathesis.GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: dict[str, str] = {}
    tested: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(mode))
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=bearer(fuzz_key), checks=CHECKS)

        try:
            conforms()
        except Unsatisfiable:
            # Nothing about this operation can be made invalid: no body, no query, a free-form path.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
            continue
        except Exception as exc:  # each operation's failure is reported, not only the first
            failures[operation.label] = str(exc)
        tested.append(operation.label)
    assert "POST /v1/api-keys" in tested and "GET /v1/api-keys" in tested
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())
