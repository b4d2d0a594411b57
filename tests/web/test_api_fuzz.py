"""Schemathesis generates requests from the API's own OpenAPI schema: never a 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from neuroseq.web.models import Role

from .helpers import sign_in


@pytest.fixture
def api_schema(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    return schemathesis.openapi.from_dict(http.get("/api/openapi.json").json())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_generated_requests_never_fail_the_server(case, http):
    response = http.generic(case.method, case.formatted_path, QUERY_STRING=_query(case.query))
    assert response.status_code < 500, (case.formatted_path, case.query)
    assert response.status_code in {200, 403, 404, 422}
    assert response["Content-Type"].startswith("application/json")


def _query(params):
    from urllib.parse import urlencode

    return urlencode(params or {}, doseq=True)
