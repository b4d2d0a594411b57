"""``manage.py seed_demo``: labelled-synthetic, one login per role, idempotent, demo mode only."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from neuroseq.web.demo import DEMO_PASSWORD, logins
from neuroseq.web.models import (
    Assessment,
    AuditEvent,
    Certification,
    Client,
    Membership,
    Organisation,
    Role,
    Staffing,
    StaffingStatus,
    User,
    VignetteAttempt,
)
from neuroseq.web.services.audit import verify_chain
from neuroseq.web.services.certification import valid_certificate


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    """seed_demo refuses to run outside demo mode (see test_operations.py)."""
    settings.DEMO = True


def seed(count):
    out = io.StringIO()
    call_command("seed_demo", clients_per_org=count, stdout=out)
    return out.getvalue()


def test_seed_creates_labelled_synthetic_organisations_and_logins(db):
    output = seed(6)
    assert Organisation.objects.filter(synthetic=True).count() == 2
    for org in Organisation.objects.all():
        roles = set(Membership.objects.filter(organisation=org).values_list("role", flat=True))
        assert roles == set(Role.values)
        assert Client.objects.filter(organisation=org).count() == 6
    assert not Client.objects.filter(synthetic=False).exists()
    assert not Assessment.objects.filter(synthetic=False).exists()
    for client in Client.objects.all():
        assert 1 <= client.assessments.filter(supersedes__isnull=True).count() <= 4
    for login in logins():
        assert f"{login.email:<28} {DEMO_PASSWORD}" in output
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="supervisor@riverside.example", password=DEMO_PASSWORD)
    assert user is not None and user.is_demo
    assert verify_chain().ok


def test_seed_gives_the_supervisor_certificates_and_the_trainee_attempts(db):
    seed(2)
    today = timezone.localdate()
    supervisor = User.objects.get(email="supervisor@riverside.example")
    trainer = valid_certificate(supervisor, "trainer", today)
    lead = Certification.objects.get(user=supervisor, level="staffing_lead")
    assert trainer is not None and valid_certificate(supervisor, "staffing_lead", today)
    assert (lead.expires_on - today).days == 40
    trainee = User.objects.get(email="trainee@riverside.example")
    attempts = VignetteAttempt.objects.filter(user=trainee)
    assert attempts.count() == 2
    assert all(0 < a.icc_a1 < 1 for a in attempts)
    assert valid_certificate(trainee, "rater", today) is None
    assert verify_chain().ok


def test_seed_opens_one_synthetic_staffing_per_demo_clinic(db):
    seed(4)
    for org in Organisation.objects.all():
        staffing = Staffing.objects.get(assessment__client__organisation=org)
        assert staffing.status == StaffingStatus.OPEN and staffing.synthetic
        assert staffing.assessment.status == "draft" and staffing.assessment.synthetic
        assert staffing.lead.email == f"supervisor@{org.slug}.example"
        raters = {r.user.email: r for r in staffing.raters.select_related("user")}
        assert set(raters) == {f"clinician@{org.slug}.example", f"trainee@{org.slug}.example"}
        assert raters[f"clinician@{org.slug}.example"].submitted
        assert not raters[f"trainee@{org.slug}.example"].submitted
    assert verify_chain().ok


def test_seed_is_idempotent(db):
    seed(3)
    counts = (Client.objects.count(), Assessment.objects.count(), AuditEvent.objects.count())
    output = seed(3)
    assert "nothing to do" in output
    assert (
        Client.objects.count(),
        Assessment.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_seed_rejects_a_silly_size(db):
    with pytest.raises(SystemExit):
        call_command("seed_demo", clients_per_org=0, stderr=io.StringIO())


@pytest.mark.slow
def test_full_demo_seed(db):
    """The size `make demo` uses. (Its speed belongs in benchmarks/, not in a test.)"""
    seed(100)
    assert Client.objects.count() == 200
    assert 200 <= Assessment.objects.count() <= 200 * 5
