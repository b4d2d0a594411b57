"""Certification in the clinic: attempts, the rule through the service, who certifies, expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from neuroseq.training import load_vignettes
from neuroseq.web.models import AuditEvent, Certification, Role, VignetteAttempt
from neuroseq.web.services import certification as svc
from neuroseq.web.services.audit import Actor

from .factories import MembershipFactory

VIGNETTES = load_vignettes()
TODAY = timezone.localdate()


def actor(user):
    return Actor(user, user.email)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def rate(user, index: int, day: dt.date, *, perfect: bool = True) -> VignetteAttempt:
    vignette = VIGNETTES[index]
    ratings = (
        vignette.key_statuses
        if perfect
        else {fid: 3 - s for fid, s in vignette.key_statuses.items()}
    )
    return svc.submit_attempt(
        actor(user),
        vignette_id=vignette.id,
        version=vignette.version,
        ratings=ratings,
        now=at(day),
    )


def three_passes(user, start: int = 0) -> None:
    for i in range(3):
        rate(user, start + i, TODAY - dt.timedelta(days=10 - i))


def trainer_in(world):
    """The supervisor of organisation A, certified trainer (bootstrap by the org admin)."""
    supervisor = world.user(Role.SUPERVISOR)
    three_passes(supervisor)
    admin = actor(world.user(Role.ORG_ADMIN))
    for level in ("rater", "staffing_lead", "trainer"):
        svc.certify(admin, user=supervisor, level=level, today=TODAY)
    return supervisor


def test_attempt_stores_figures_and_is_audited(world):
    trainee = world.user(Role.TRAINEE)
    attempt = rate(trainee, 0, TODAY)
    assert attempt.icc_a1 == pytest.approx(1.0)
    assert attempt.within_one == 1.0
    assert attempt.figures["overall"]["exact"] == 1.0
    assert set(attempt.figures["domains"]) == {
        "sensory_integration",
        "self_regulation",
        "relational",
        "cognitive",
    }
    assert AuditEvent.objects.filter(action="training.attempt", object_id=str(attempt.pk)).exists()


def test_bad_ratings_name_the_field_and_store_nothing(world):
    trainee = actor(world.user(Role.TRAINEE))
    vignette = VIGNETTES[0]
    for ratings, field in (
        ({"sleep_regulation": 7}, "ratings.sleep_regulation"),
        ({"telepathy": 1}, "ratings.telepathy"),
        ({}, "ratings"),
    ):
        with pytest.raises(ValidationError) as exc:
            svc.submit_attempt(
                trainee, vignette_id=vignette.id, version=vignette.version, ratings=ratings
            )
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.submit_attempt(trainee, vignette_id="nope", version=1, ratings={"literacy": 1})
    assert "vignette" in exc.value.message_dict
    assert VignetteAttempt.objects.count() == 0


def test_admin_bootstraps_the_first_trainer_then_only_trainers_certify(world):
    supervisor = trainer_in(world)
    cert = svc.valid_certificate(supervisor, "trainer", TODAY)
    assert cert is not None and cert.bootstrap and cert.issued_by == world.user(Role.ORG_ADMIN)
    # A trainer is also a staffing lead and a rater.
    assert svc.valid_certificate(supervisor, "staffing_lead", TODAY) is not None
    assert svc.valid_certificate(supervisor, "rater", TODAY) is not None
    # Now the organisation has a trainer: the admin may no longer certify.
    clinician = world.user(Role.CLINICIAN)
    three_passes(clinician)
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(world.user(Role.ORG_ADMIN)), user=clinician, level="rater", today=TODAY)
    assert "trainers certify" in str(exc.value)
    issued = svc.certify(actor(supervisor), user=clinician, level="rater", today=TODAY)
    assert not issued.bootstrap
    assert issued.expires_on == dt.date(TODAY.year + 1, TODAY.month, TODAY.day) or (
        TODAY.month == 2 and TODAY.day == 29
    )
    assert len(issued.evidence) == 3
    assert AuditEvent.objects.filter(action="training.certify").count() == 4


def test_uncertified_members_cannot_certify_or_assign(world):
    clinician = world.user(Role.CLINICIAN)
    trainee = world.user(Role.TRAINEE)
    three_passes(trainee)
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(clinician), user=trainee, level="rater", today=TODAY)
    assert "valid trainer certificate" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.assign(
            actor(clinician), trainee=trainee, vignette_id=VIGNETTES[0].id, due=None, today=TODAY
        )
    assert not Certification.objects.exists()


def test_certify_refuses_with_the_reason_when_the_rule_is_not_met(world):
    supervisor = trainer_in(world)
    trainee = world.user(Role.TRAINEE)
    rate(trainee, 0, TODAY - dt.timedelta(days=3))
    rate(trainee, 1, TODAY - dt.timedelta(days=2), perfect=False)
    rate(trainee, 2, TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(supervisor), user=trainee, level="rater", today=TODAY)
    assert "the current run is 1" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(supervisor), user=supervisor, level="rater", today=TODAY)
    assert "certifies themselves" in str(exc.value)


def test_other_organisations_members_cannot_be_certified(world):
    supervisor = trainer_in(world)
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(supervisor), user=world.other.user, level="rater", today=TODAY)
    assert "no such member" in str(exc.value)
    # A certificate is valid only in the organisation that issued it.
    moved = MembershipFactory(role=Role.CLINICIAN)
    assert svc.valid_certificate(moved.user, "rater", TODAY) is None


def test_expiry_revocation_and_recertification_window(world):
    supervisor = trainer_in(world)
    cert = svc.valid_certificate(supervisor, "trainer", TODAY)
    assert cert is not None
    day_before = cert.expires_on - dt.timedelta(days=1)
    assert svc.valid_certificate(supervisor, "rater", day_before) is not None
    assert svc.valid_certificate(supervisor, "rater", cert.expires_on) is None
    clinician = world.user(Role.CLINICIAN)
    three_passes(clinician)
    rater = svc.certify(actor(supervisor), user=clinician, level="rater", today=TODAY)
    with pytest.raises(ValidationError) as exc:
        svc.certify(actor(supervisor), user=clinician, level="rater", today=TODAY)
    assert "re-certification opens 60 days before expiry" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.revoke(actor(supervisor), rater, reason="  ", today=TODAY)
    svc.revoke(actor(supervisor), rater, reason="ratings drifted in staffings", today=TODAY)
    assert svc.valid_certificate(clinician, "rater", TODAY) is None
    assert AuditEvent.objects.filter(action="training.revoke").count() == 1


def test_recertification_in_the_last_sixty_days_with_new_attempts(world):
    supervisor = trainer_in(world)
    clinician = world.user(Role.CLINICIAN)
    old = svc.demo_certificate(
        Actor.system("tests"),
        user=clinician,
        level="rater",
        issued_on=TODAY - dt.timedelta(days=340),
        organisation=world.team1.organisation,
    )
    assert 0 < (old.expires_on - TODAY).days <= 60
    for i in range(3):  # attempts older than the certificate do not count
        rate(clinician, i, TODAY - dt.timedelta(days=350 - i))
    with pytest.raises(ValidationError, match="the current run is 0"):
        svc.certify(actor(supervisor), user=clinician, level="rater", today=TODAY)
    three_passes(clinician, start=3)
    renewed = svc.certify(actor(supervisor), user=clinician, level="rater", today=TODAY)
    assert renewed.expires_on > old.expires_on
    assert svc.valid_certificate(clinician, "rater", old.expires_on) == renewed
