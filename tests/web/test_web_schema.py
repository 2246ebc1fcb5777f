"""A property-based run of the OpenAPI schema (schemathesis) against the served API."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


@pytest.fixture(scope="module")
def api_schema(app_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(app_url + "/openapi.json")


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_api_conforms_to_its_schema(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, with generated parameters and bodies: no 5xx, documented statuses,
    content types and bodies. (Driven by hand: schemathesis's pytest plugin does not load
    under this pytest.)"""
    ran = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        run()
        ran.append(operation.label)
    assert len(ran) >= 7, ran
