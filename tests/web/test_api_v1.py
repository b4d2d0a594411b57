"""API v1: the whole assessment lifecycle with a token, problem details, ETags, audit."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle

from neuroseq.web.models import Assessment, AuditEvent, Role

from .helpers import api_token, bearer, example_inputs, sign_in

JSON = "application/json"


def call(http, method, path, token, body=None, **headers):
    kwargs = {**bearer(token), **headers}
    if body is not None:
        return http.generic(method, f"/api/v1{path}", json.dumps(body), content_type=JSON, **kwargs)
    return http.generic(method, f"/api/v1{path}", **kwargs)


def test_lifecycle_with_tokens(world, http):
    clinician = api_token(world.user(Role.CLINICIAN))
    supervisor = api_token(world.user(Role.SUPERVISOR))
    child = world.child1.pk
    created = call(
        http,
        "POST",
        f"/clients/{child}/assessments",
        clinician,
        {"inputs": example_inputs(assessment_date="2026-08-01")},
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["inputs"]["client"]["pseudonym"] == "A-0001"
    read = call(http, "GET", f"/assessments/{draft['id']}", clinician)
    tag = read["ETag"]
    assert tag == draft["etag"]
    changed = example_inputs(assessment_date="2026-08-02")
    updated = call(
        http,
        "PUT",
        f"/assessments/{draft['id']}",
        clinician,
        {"inputs": changed},
        HTTP_IF_MATCH=tag,
    )
    assert updated.status_code == 200 and updated.json()["assessment_date"] == "2026-08-02"
    # A second writer with the old ETag gets 409 with both values, and changes nothing.
    stale = call(
        http,
        "PUT",
        f"/assessments/{draft['id']}",
        clinician,
        {"inputs": example_inputs(assessment_date="2026-08-03")},
        HTTP_IF_MATCH=tag,
    )
    problem = stale.json()
    assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
    assert problem["expected_etag"] == tag and problem["current_etag"] == updated["ETag"]
    assert Assessment.objects.get(pk=draft["id"]).assessment_date.isoformat() == "2026-08-02"
    assert call(http, "POST", f"/assessments/{draft['id']}/submit", clinician).status_code == 200
    assert call(http, "POST", f"/assessments/{draft['id']}/sign", clinician).status_code == 403
    signed = call(http, "POST", f"/assessments/{draft['id']}/sign", supervisor)
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    again = call(http, "PUT", f"/assessments/{draft['id']}", clinician, {"inputs": changed})
    assert again.status_code == 409  # signed: never changes
    amended = call(
        http, "POST", f"/assessments/{draft['id']}/amend", clinician, {"reason": "typo in a rating"}
    )
    assert amended.status_code == 201 and amended.json()["supersedes_id"] == draft["id"]
    actions = set(
        AuditEvent.objects.filter(actor=world.user(Role.CLINICIAN)).values_list("action", flat=True)
    )
    assert {
        "assessment.create",
        "assessment.update",
        "assessment.submit",
        "assessment.amend",
        "assessment.read",
    } <= actions


def test_scores_map_plan_and_fhir(world, http):
    token = api_token(world.user(Role.CLINICIAN))
    pk = world.signed.pk
    scores = call(http, "GET", f"/assessments/{pk}/scores", token).json()
    assert scores["scores"]["relational_gate"] == "marginal"
    svg = call(http, "GET", f"/assessments/{pk}/map.svg", token)
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    plan = call(http, "GET", f"/assessments/{pk}/plan?audience=caregiver", token).json()
    assert plan["audience"] == "caregiver" and plan["plan"]["format"] == "neuroseq.plan/1"
    fhir = call(http, "GET", f"/assessments/{pk}/fhir", token)
    assert fhir["Content-Type"] == "application/fhir+json"
    bundle = fhir.json()
    Bundle.model_validate(bundle)
    text = fhir.content.decode()
    assert world.child1.given_name not in text and world.child1.family_name not in text
    assert world.child1.birth_date.isoformat() not in text
    back = call(http, "POST", f"/clients/{world.child1.pk}/assessments/fhir", token, bundle)
    assert back.status_code == 201, back.content
    assert back.json()["scores"] == world.signed.scores  # same inputs, same scores
    wrong = call(
        http,
        "POST",
        f"/clients/{world.child1.pk}/assessments/fhir",
        token,
        {"resourceType": "Patient"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "fhir"


def test_problem_details_name_the_field(world, http):
    token = api_token(world.user(Role.CLINICIAN))
    response = call(
        http,
        "POST",
        f"/clients/{world.child1.pk}/assessments",
        token,
        {"inputs": example_inputs(functional={"flying": 2})},
    )
    problem = response.json()
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {"type", "title", "status", "detail"} <= set(problem) and problem["status"] == 422
    assert problem["errors"] == [
        {"field": "inputs", "detail": "functional.flying: unknown function id"}
    ]
    missing = call(http, "POST", f"/clients/{world.child1.pk}/assessments", token, {})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "inputs"
    assert call(http, "GET", "/clients/abc", token).json()["errors"][0]["field"] == "client_id"
    nobody = http.get("/api/v1/clients")
    assert nobody.status_code == 401 and nobody["WWW-Authenticate"].startswith("Bearer")
    assert nobody["Content-Type"] == "application/problem+json"


def test_other_organisation_is_404_and_viewer_is_403(world, http):
    other = api_token(world.other.user)
    for path in (
        f"/clients/{world.child1.pk}",
        f"/assessments/{world.signed.pk}",
        f"/assessments/{world.signed.pk}/fhir",
        f"/clients/{world.child1.pk}/record.csv",
    ):
        response = call(http, "GET", path, other)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404
    viewer = api_token(world.user(Role.VIEWER))
    assert call(http, "GET", "/clients", viewer).status_code == 403


def test_session_auth_and_the_old_api_keep_working(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    assert http.get("/api/v1/clients").json()["count"] == 1  # team one only
    assert http.get("/api/clients").status_code == 200


def test_docs_are_served_from_our_own_static_files(http, as_role):
    assert "/accounts/login/" in http.get("/api/v1/docs")["Location"]  # signed-in users only
    http = as_role("viewer")
    page = http.get("/api/v1/docs")
    text = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in text and "cdn" not in text.lower()
    assert "<script>" not in text  # no inline script: works under script-src 'self'
    schema = http.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "x-neuroseq-action" in operation, (method, path)


def test_docs_list_every_operation_with_its_action():
    from pathlib import Path

    from neuroseq.web.api_v1 import api_v1

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    schema = api_v1.get_openapi_schema(path_prefix="/api/v1")
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            row = f"`{method.upper()} {path}"
            line = next((x for x in text.splitlines() if x.startswith(f"| {row}")), None)
            assert line is not None, row
            assert line.rstrip().endswith(f"| {operation['x-neuroseq-action']} |"), line
