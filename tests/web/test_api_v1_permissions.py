"""Every API v1 operation x every role of organisation A, and organisation B's supervisor:
allowed exactly as MATRIX says for the operation's declared action, 404 across tenants."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.interop.fhir_export import assessment_bundle
from neuroseq.web.api_v1 import api_v1
from neuroseq.web.models import Role
from neuroseq.web.permissions import MATRIX
from neuroseq.web.services import staffing as staffing_service
from neuroseq.web.services.audit import Actor

from .helpers import api_token, bearer, example_inputs

SCHEMA = api_v1.get_openapi_schema(path_prefix="/api/v1")
OPERATIONS = [
    (method.upper(), path, operation["x-neuroseq-action"])
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
]
WHO = [r.value for r in Role] + ["other_organisation"]


def request_for(world, method, path, action):
    """(url, body) for one operation, aimed at a record of organisation A in team one."""
    target = {
        "assessment.edit_draft": world.draft,
        "assessment.submit": world.draft,
        "assessment.sign": world.in_review,
    }.get(action, world.signed)
    url = path.replace("{client_id}", str(world.child1.pk))
    url = url.replace("{assessment_id}", str(target.pk)).replace("{kind}", "scores")
    body = None
    if method == "POST" and path.endswith("/assessments"):
        body = {"inputs": example_inputs(assessment_date="2026-09-01")}
    elif method == "POST" and path.endswith("/fhir"):
        inst = load_instrument(world.signed.instrument_version)
        body = assessment_bundle(parse_assessment(world.signed.inputs, inst), inst)
    elif method == "PUT":
        body = {"inputs": example_inputs(assessment_date="2026-06-03")}
    elif path.endswith("/amend"):
        body = {"reason": "a rating was entered in the wrong row"}
    if "{staffing_id}" in path:
        url = url.replace("{staffing_id}", str(_staffing(world).pk))
        if method == "PUT":
            body = {"ratings": {load_instrument().function_ids[0]: 2}}
    return url, body


def _staffing(world):
    """A staffing of the draft: every role that may rate is invited and has rated one item."""
    lead = world.user(Role.SUPERVISOR)
    staffing = staffing_service.open_staffing(Actor(lead, "lead"), world.draft)
    first = load_instrument(world.draft.instrument_version).function_ids[0]
    for role in (Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE):
        staffing_service.invite(Actor(lead, "lead"), staffing, world.user(role))
        staffing_service.save_ratings(Actor(world.user(role), role), staffing, {first: 1})
    return staffing


@override_settings(NEUROSEQ_RESEARCH_MIN_CELL=1)
@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "action"), OPERATIONS, ids=lambda v: str(v))
def test_operation_permissions(world, http, method, path, action, who):
    user = world.other.user if who == "other_organisation" else world.user(who)
    url, body = request_for(world, method, path, action)
    headers = bearer(api_token(user))
    if body is None:
        response = http.generic(method, url, **headers)
    else:
        response = http.generic(method, url, json.dumps(body), "application/json", **headers)
    code = response.status_code
    if who == "other_organisation":
        if "{client_id}" in path or "{assessment_id}" in path or "{staffing_id}" in path:
            assert code == 404, (url, code)
        else:  # lists and exports are scoped to organisation B: nothing of A appears
            assert world.child1.display_id.encode() not in response.content
        return
    if who in MATRIX[action]:
        assert code in {200, 201}, (url, who, code, response.content[:300])
    else:
        assert code == 403, (url, who, code)
        assert response["Content-Type"] == "application/problem+json"
