"""Schemathesis against the v1 OpenAPI document, authenticated with a token, through the
real WSGI application: no server error, and every response matches the schema (status
code, content type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from neuroseq.web.api_v1 import api_v1
from neuroseq.web.models import Role

from .helpers import api_token

SCHEMA = schemathesis.openapi.from_dict(api_v1.get_openapi_schema(path_prefix="/api/v1"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


_APP: list[object] = []


@pytest.fixture
def keep_test_connection():
    """The real WSGI handler closes database connections around each request, which would
    end the test's transaction on PostgreSQL; Django's own test client unhooks the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def wsgi_app() -> object:
    """The real WSGI application, built once the test settings apply (plain HTTP)."""
    if not _APP:
        _APP.append(get_wsgi_application())
    return _APP[0]


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_v1_conforms_to_its_schema(world, keep_test_connection, operation, data):
    token = api_token(world.user(Role.SUPERVISOR))
    case = data.draw(operation.as_strategy())
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, app=wsgi_app()
    )
