"""The read-only JSON API: same sign-in, scoping and audit as the pages."""

from __future__ import annotations

from neuroseq.web.models import AuditEvent, Role

from .helpers import sign_in


def test_requires_sign_in(world, http):
    assert http.get("/api/clients").status_code == 401


def test_lists_only_visible_clients(world, http):
    sign_in(http, world.team2_clinician.user)
    data = http.get("/api/clients").json()
    assert [c["display_id"] for c in data["items"]] == ["A-0002"]
    assert data["count"] == 1


def test_client_detail_is_audited_and_lists_versions(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    data = http.get(f"/api/clients/{world.child1.pk}").json()
    assert data["display_id"] == "A-0001" and data["care_team"] == "Team one"
    assert {a["status"] for a in data["assessments"]} == {"signed", "draft", "in_review"}
    assert AuditEvent.objects.filter(action="client.read", details__page="api.client").exists()


def test_assessment_detail_has_inputs_and_score_snapshot(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    data = http.get(f"/api/assessments/{world.signed.pk}").json()
    assert data["status"] == "signed" and data["scores"]["relational_gate"] == "marginal"
    assert data["inputs"]["client"]["pseudonym"] == "A-0001"


def test_viewer_gets_403_and_bad_ids_get_a_clear_error(world, http):
    sign_in(http, world.user(Role.VIEWER))
    assert http.get("/api/clients").status_code == 403
    sign_in(http, world.user(Role.SUPERVISOR))
    response = http.get("/api/clients/not-a-number")
    assert response.status_code == 422
    assert "client_id" in str(response.json()["detail"])
    for query in ("limit=-5", "limit=100000000000000000000", "offset=9223372036854775808"):
        assert http.get(f"/api/clients?{query}").status_code == 422


def test_openapi_schema(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    schema = http.get("/api/openapi.json").json()
    assert "/api/clients/{client_id}" in schema["paths"]
