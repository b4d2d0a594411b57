"""PDF report downloads: the clinic's versions, the family's own version once released,
the API, audit and scoping (other organisations answer 404)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client as HttpClient

from neuroseq.web.models import AuditEvent, Role, ViewerKind, ViewerLink
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from .helpers import api_token, bearer, make_assessment

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing (make test installs it)"
)


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, check=True, capture_output=True
    ).stdout.decode()


def test_a_clinician_downloads_the_clinician_report_and_it_is_audited(world, as_role):
    http = as_role(Role.CLINICIAN)
    response = http.get(f"/assessments/{world.signed.pk}/report/")
    text = pdf_text(response)
    assert "Clinician report: A-0001" in text
    assert f"A-0001 · assessment {world.signed.assessment_date:%Y-%m-%d} · instrument" in text
    assert "Quillfeather" not in text  # the clinician report names the child by pseudonym
    assert "A-0001" in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action="assessment.report").latest("seq")
    assert event.client == world.child1 and event.details["audience"] == "clinician"
    detail = http.get(f"/assessments/{world.signed.pk}/").content.decode()
    assert f"/assessments/{world.signed.pk}/report/" in detail


def test_a_draft_report_says_it_is_not_signed(world, as_role):
    text = pdf_text(as_role(Role.CLINICIAN).get(f"/assessments/{world.draft.pk}/report/"))
    assert "DRAFT: NOT SIGNED" in text


def test_bad_audience_and_other_organisations(world, as_role):
    http = as_role(Role.CLINICIAN)
    before = AuditEvent.objects.filter(action="assessment.report").count()
    response = http.get(f"/assessments/{world.signed.pk}/report/?audience=neighbour")
    assert response.status_code == 400
    assert "audience: expected one of clinician, caregiver, teacher" in response.content.decode()
    other = make_assessment(world.other_child, "signed")
    assert http.get(f"/assessments/{other.pk}/report/").status_code == 404
    assert http.get(f"/clients/{world.other_child.pk}/family/report/").status_code == 404
    assert AuditEvent.objects.filter(action="assessment.report").count() == before


def test_the_family_gets_only_its_version_and_only_once_released(world, as_role):
    viewer = as_role(Role.VIEWER)
    url = f"/clients/{world.child1.pk}/family/report/"
    response = viewer.get(url)
    assert response.status_code == 409
    assert "has not shared a review of Alice yet" in response.content.decode()
    assert viewer.get(f"/assessments/{world.signed.pk}/report/").status_code == 403
    service.release(Actor(world.user(Role.CLINICIAN), "clinician"), world.signed)
    text = pdf_text(viewer.get(url))
    assert "Report for the family: Alice" in text
    assert "Clinician report" not in text and "Functional Score" not in text
    assert (
        "Download this as a report to print"
        in viewer.get(f"/clients/{world.child1.pk}/family/").content.decode()
    )
    event = AuditEvent.objects.filter(action="assessment.report").latest("seq")
    assert event.details["audience"] == "caregiver" and event.object_id == str(world.signed.pk)
    ViewerLink.objects.filter(client=world.child1).update(kind=ViewerKind.TEACHER)
    text = pdf_text(viewer.get(url))
    assert "Report for school: Alice" in text and "your child" not in text
    service.withdraw_release(Actor(world.user(Role.CLINICIAN), "clinician"), world.signed)
    assert viewer.get(url).status_code == 409


def test_api_v1_returns_the_pdf_with_a_token(world):
    token = api_token(world.user(Role.CLINICIAN))
    http = HttpClient()
    url = f"/api/v1/assessments/{world.signed.pk}/report"
    text = pdf_text(http.get(url + "?audience=teacher", **bearer(token)))
    assert "Report for school: Alice" in text
    bad = http.get(url + "?audience=neighbour", **bearer(token))
    assert bad.status_code == 422 and "audience" in bad.json()["detail"]
    other = make_assessment(world.other_child, "signed")
    missing = http.get(f"/api/v1/assessments/{other.pk}/report", **bearer(token))
    assert missing.status_code == 404
