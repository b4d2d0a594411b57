"""The role x action matrix of docs/permissions.md, cell by cell, through the real pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from neuroseq.web.models import (
    ApiToken,
    Assessment,
    Client,
    FamilyRelease,
    Job,
    Role,
    Staffing,
)
from neuroseq.web.permissions import MATRIX
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services.audit import Actor

from .factories import MembershipFactory
from .helpers import example_inputs

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = [r.value for r in Role]


def _new_client_form(world):
    return {
        "display_id": "A-NEW",
        "given_name": "Dana",
        "family_name": "New",
        "birth_date": "2019-05-01",
        "care_team": world.team1.pk,
        "status": "active",
    }


def attempt(action, world, http, user):
    """Try ``action`` as ``user``; True if it happened, False if refused with 403."""
    if action == "client.list":
        response = http.get("/clients/")
    elif action == "client.view":
        response = http.get(f"/clients/{world.child1.pk}/")
    elif action == "client.view_plain":
        response = http.get(f"/clients/{world.child1.pk}/family/")
    elif action == "client.create":
        response = http.post("/clients/new/", _new_client_form(world))
        assert Client.objects.filter(display_id="A-NEW").exists() == (response.status_code == 302)
    elif action == "client.edit":
        data = {
            **_new_client_form(world),
            "display_id": "A-0001",
            "given_name": "Alicia",
            "version": world.child1.version,
        }
        response = http.post(f"/clients/{world.child1.pk}/edit/", data)
        world.child1.refresh_from_db()
        assert (world.child1.given_name == "Alicia") == (response.status_code == 302)
    elif action == "client.link_viewer":
        viewer = MembershipFactory(organisation=world.child1.organisation, role=Role.VIEWER)
        response = http.post(f"/clients/{world.child1.pk}/viewers/", {"viewer": viewer.pk})
        linked = world.child1.viewers.filter(pk=viewer.pk).exists()
        assert linked == (response.status_code == 302)
    elif action == "assessment.view":
        response = http.get(f"/assessments/{world.signed.pk}/")
    elif action == "assessment.create":
        before = Assessment.objects.count()
        response = http.post(
            f"/clients/{world.child1.pk}/assessments/new/", {"assessment_date": "2026-08-01"}
        )
        assert (Assessment.objects.count() == before + 1) == (response.status_code == 302)
        imported = http.post(
            f"/clients/{world.child1.pk}/assessments/import/",
            {"inputs": json.dumps(example_inputs())},
        )
        assert imported.status_code == response.status_code
    elif action == "assessment.edit_draft":
        response = http.post(
            f"/assessments/{world.draft.pk}/edit/details/",
            {"revision": 1, "assessment_date": "2026-06-03", "rater": ""},
        )
        world.draft.refresh_from_db()
        changed = str(world.draft.assessment_date) == "2026-06-03"
        assert changed == (response.status_code == 302)
        saved = http.post(
            f"/assessments/{world.draft.pk}/edit/save/",
            {"revision": 2, "step": "functional", "ops": []},
            content_type="application/json",
        )
        assert (saved.status_code == 403) == (response.status_code == 403)
    elif action in {"assessment.submit", "assessment.sign", "assessment.amend"}:
        target = {
            "assessment.submit": world.draft,
            "assessment.sign": world.in_review,
            "assessment.amend": world.signed,
        }[action]
        before = (Assessment.objects.count(), target.status)
        verb = action.split(".")[1]
        response = http.post(
            f"/assessments/{target.pk}/{verb}/", {"reason": "typo in a rating", "confirm": "on"}
        )
        target.refresh_from_db()
        after = (Assessment.objects.count(), target.status)
        assert (after != before) == (response.status_code == 302)
    elif action == "assessment.return":
        response = http.post(
            f"/assessments/{world.in_review.pk}/return/", {"comments": "please rate sleep"}
        )
        world.in_review.refresh_from_db()
        returned = world.in_review.status == "draft"
        assert returned == (response.status_code == 302)
    elif action == "assessment.release":
        response = http.post(f"/assessments/{world.signed.pk}/release/", {"action": "release"})
        shared = FamilyRelease.objects.filter(assessment=world.signed).exists()
        assert shared == (response.status_code == 302)
    elif action == "audit.view":
        response = http.get("/audit/")
    elif action == "members.manage":
        response = http.get("/members/")
    elif action == "export.record":
        response = http.get(f"/clients/{world.child1.pk}/export/?format=csv")
    elif action == "export.cohort":
        response = http.get("/exports/?kind=scores&instrument_version=1")
    elif action == "export.research":
        response = http.get("/api/v1/research/export.csv")
        if response.status_code == 422:  # allowed, but fewer children than the threshold
            return True
    elif action == "api.tokens":
        response = http.post("/account/tokens/", {"name": "matrix", "expires_in_days": 5})
        created = ApiToken.objects.filter(user=user, name="matrix").exists()
        assert created == (response.status_code == 200)
    elif action == "job.view":
        response = http.get("/jobs/")
    elif action == "export.cohort_scores":
        before = Job.objects.count()
        response = http.post("/jobs/start/cohort_scores/", {"signed_only": "on"})
        assert (Job.objects.count() == before + 1) == (response.status_code == 302)
    elif action == "analytics.view":
        response = http.get("/analytics/")
    elif action == "staffing.view":
        response = http.get(f"/assessments/{world.draft.pk}/staffing/")
    elif action == "staffing.rate":  # not invited: sent back to the staffing page (302)
        response = http.get(f"/assessments/{world.draft.pk}/staffing/rate/")
    elif action == "staffing.lead":
        response = http.post(f"/assessments/{world.draft.pk}/staffing/open/")
        opened = Staffing.objects.filter(assessment=world.draft).exists()
        assert opened == (response.status_code == 302)
    elif action == "training.use":
        response = http.get("/training/")
    elif action == "training.train":
        response = http.get("/training/trainees/")
    elif action == "fidelity.view":
        response = http.get("/training/fidelity/")
    else:
        raise AssertionError(f"no attempt written for {action}")
    assert response.status_code in {200, 302, 403}, (action, response.status_code)
    return response.status_code != 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_matrix_cell(world, as_role, role, action):
    http = as_role(role)
    allowed = attempt(action, world, http, world.user(role))
    assert allowed == (role in MATRIX[action]), f"{role} / {action}"


def test_documented_matrix_is_the_implemented_matrix():
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and re.fullmatch(r"[a-z_]+\.[a-z_]+", cells[0]):
            rows[cells[0]] = {
                role for role, cell in zip(ROLES, cells[1:], strict=True) if cell == "yes"
            }
    assert rows == {action: set(roles) for action, roles in MATRIX.items()}


def test_viewer_plain_page_shows_the_plan_in_plain_words(world, as_role):
    assessment_service.release(Actor(world.user("supervisor"), "s"), world.signed)
    response = as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Alice Quillfeather" in text  # the name as the clinic records it
    assert "Developmental Challenges Score" not in text  # clinical wording stays clinical
