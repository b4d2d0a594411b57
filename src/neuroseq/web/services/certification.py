"""Training and certification: assign vignettes, submit attempts, certify, revoke.

The rule itself (which attempts count, thresholds, expiry) is the pure function
``neuroseq.training.evaluate`` over data in ``training/data/certification.yaml``; this
module feeds it the database rows and ``today``, and writes the outcome with its audit
event. Who may certify (docs/training.md, "Bootstrap"): a member of the same organisation
holding a valid trainer certificate; while the organisation has no valid trainer, an
organisation admin, so that a clinic can certify its first trainer. Nobody certifies
themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from neuroseq.instrument import load_instrument
from neuroseq.json_finite import finite
from neuroseq.training import (
    AttemptRecord,
    HeldCertificate,
    RuleResult,
    agreement,
    evaluate,
    expiry_for,
    get_vignette,
    holds,
    load_rules,
)
from neuroseq.web.models import (
    Certification,
    CertificationLevel,
    Membership,
    Organisation,
    Role,
    User,
    VignetteAssignment,
    VignetteAttempt,
)
from neuroseq.web.models.accounts import CLINICAL_ROLES
from neuroseq.web.permissions import membership_of
from neuroseq.web.services.audit import Actor, record


def _held(rows: list[Certification]) -> list[HeldCertificate]:
    return [HeldCertificate(c.level, c.issued_on, c.expires_on, c.revoked) for c in rows]


def certificates_of(user: User, organisation: Organisation | None = None) -> list[Certification]:
    """Every certificate of ``user`` in their current organisation (or ``organisation``)."""
    if organisation is None:
        membership = membership_of(user)
        if membership is None:
            return []
        organisation = membership.organisation
    return list(Certification.objects.filter(user=user, organisation=organisation))


def valid_certificate(user: User | None, level: str, on: date) -> Certification | None:
    """The certificate that makes ``user`` a valid ``level`` on day ``on``, or None.

    A higher level implies the lower ones (a trainer is also a staffing lead and a rater);
    an expired or revoked certificate, or one from another organisation, is none.
    """
    if user is None or level not in CertificationLevel.values:
        return None
    rows = certificates_of(user)
    found = holds(level, _held(rows), on, load_rules())
    if found is None:
        return None
    return next(
        c
        for c in rows
        if (c.level, c.issued_on, c.expires_on, c.revoked)
        == (found.level, found.issued_on, found.expires_on, found.revoked)
    )


def attempt_records(user: User, organisation: Organisation) -> list[AttemptRecord]:
    rows = VignetteAttempt.objects.filter(user=user, organisation=organisation).order_by(
        "created_at", "pk"
    )
    return [
        AttemptRecord(
            a.vignette_id,
            a.vignette_version,
            timezone.localdate(a.created_at),
            a.icc_a1,
            a.within_one,
        )
        for a in rows
    ]


def rule_status(user: User, level: str, today: date) -> RuleResult:
    """Where ``user`` stands against the rule for ``level`` on ``today``."""
    membership = membership_of(user)
    if membership is None:
        raise ValidationError({"user": "not an active member of an organisation"})
    org = membership.organisation
    return evaluate(
        level,
        attempt_records(user, org),
        _held(certificates_of(user, org)),
        today,
        load_rules(),
    )


def organisation_has_trainer(organisation: Organisation, today: date) -> bool:
    rules = load_rules()
    rows = Certification.objects.filter(
        organisation=organisation, level=CertificationLevel.TRAINER, revoked_at__isnull=True
    )
    return any(holds("trainer", _held([c]), today, rules) for c in rows)


def _membership(actor: Actor) -> Membership:
    membership = membership_of(actor.user)
    if membership is None:
        raise ValidationError({"user": "not an active member of an organisation"})
    return membership


def _same_org_member(org: Organisation, user: User, field: str) -> Membership:
    """The user's active clinical membership of ``org``; anything else reads as not found."""
    membership = membership_of(user)
    if membership is None or membership.organisation_id != org.pk:
        raise ValidationError({field: "no such member in your organisation"})
    if membership.role not in CLINICAL_ROLES:
        raise ValidationError({field: "only clinical members (trainee, clinician, supervisor)"})
    return membership


def may_certify(actor: Actor, today: date) -> tuple[bool, bool, str]:
    """(allowed, bootstrap, reason). See the module docstring for the rule."""
    membership = membership_of(actor.user)
    if membership is None:
        return False, False, "you are not an active member of an organisation"
    if valid_certificate(actor.user, "trainer", today) is not None:
        return True, False, ""
    if membership.role == Role.ORG_ADMIN:
        if organisation_has_trainer(membership.organisation, today):
            return False, False, "your organisation has a certified trainer: trainers certify"
        return True, True, ""
    return False, False, "only a member with a valid trainer certificate certifies"


def assign(
    actor: Actor, *, trainee: User, vignette_id: str, due: date | None, today: date
) -> VignetteAssignment:
    membership = _membership(actor)
    allowed, _, reason = may_certify(actor, today)
    if not allowed:
        raise ValidationError({"trainer": reason.replace("certifies", "assigns vignettes")})
    _same_org_member(membership.organisation, trainee, "trainee")
    vignette = get_vignette(vignette_id)
    if vignette is None:
        raise ValidationError({"vignette": f"no vignette {vignette_id!r}"})
    if due is not None and due < today:
        raise ValidationError({"due": "the due date must be today or later"})
    with transaction.atomic():
        assignment = VignetteAssignment.objects.create(
            organisation=membership.organisation,
            trainer=actor.user,
            trainee=trainee,
            vignette_id=vignette.id,
            vignette_version=vignette.version,
            due=due,
        )
        record(
            actor,
            "training.assign",
            object_type="vignette_assignment",
            object_id=assignment.pk,
            details={
                "trainee": trainee.pk,
                "vignette": vignette.id,
                "version": vignette.version,
                "due": due,
            },
        )
    return assignment


def _clean_ratings(ratings: Mapping[str, Any], function_ids: tuple[str, ...]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    unknown = [str(fid) for fid in ratings if fid not in function_ids]
    for fid in unknown[:5]:
        errors[f"ratings.{fid[:48]}"] = "unknown function"
    if len(unknown) > 5:
        errors["ratings"] = f"{len(unknown)} unknown items in all; expected function ids"
    clean: dict[str, int | None] = {}
    for fid in function_ids:
        value = ratings.get(fid)
        if value in (None, ""):
            clean[fid] = None
            continue
        if isinstance(value, str) and value.strip() in {"0", "1", "2", "3"}:
            value = int(value)
        if isinstance(value, bool) or value not in (0, 1, 2, 3):
            errors[f"ratings.{fid}"] = "expected a status 0, 1, 2 or 3 (or empty: not rated)"
            continue
        clean[fid] = int(value)
    if not errors and all(v is None for v in clean.values()):
        errors["ratings"] = "rate at least one item"
    if errors:
        raise ValidationError(errors)
    return clean


def submit_attempt(
    actor: Actor,
    *,
    vignette_id: str,
    version: int,
    ratings: Mapping[str, Any],
    assignment: VignetteAssignment | None = None,
    now: datetime | None = None,
) -> VignetteAttempt:
    """Store a rating of a vignette with its agreement with the key (figures as JSON).

    ``now`` (default: the clock) is when it happened; tests pass dates instead of freezing time.
    """
    membership = _membership(actor)
    if membership.role not in CLINICAL_ROLES:
        raise ValidationError({"user": "only clinical members rate training vignettes"})
    vignette = get_vignette(vignette_id, version)
    if vignette is None:
        raise ValidationError({"vignette": f"no vignette {vignette_id!r} version {version}"})
    if assignment is not None and (
        assignment.trainee_id != actor.user.pk  # type: ignore[union-attr]
        or assignment.vignette_id != vignette.id
    ):
        raise ValidationError({"assignment": "this assignment is not yours for this vignette"})
    instrument = load_instrument(vignette.instrument_version)
    clean = _clean_ratings(ratings, instrument.function_ids)
    result = agreement(clean, vignette, instrument)
    figures = finite(result.to_dict())
    with transaction.atomic():
        attempt = VignetteAttempt.objects.create(
            organisation=membership.organisation,
            user=actor.user,
            vignette_id=vignette.id,
            vignette_version=vignette.version,
            assignment=assignment,
            ratings=clean,
            figures=figures,
            icc_a1=None if result.icc_a1 is None else result.icc_a1.value,
            within_one=result.overall.within_one,
            created_at=now or timezone.now(),
        )
        record(
            actor,
            "training.attempt",
            object_type="vignette_attempt",
            object_id=attempt.pk,
            details={
                "vignette": vignette.id,
                "version": vignette.version,
                "icc_a1": attempt.icc_a1,
                "within_one": attempt.within_one,
            },
        )
    return attempt


def certify(actor: Actor, *, user: User, level: str, today: date) -> Certification:
    """Issue a certificate when the rule is met; refuse with the reasons otherwise."""
    if level not in CertificationLevel.values:
        raise ValidationError({"level": f"expected one of {', '.join(CertificationLevel.values)}"})
    membership = _membership(actor)
    allowed, bootstrap, reason = may_certify(actor, today)
    if not allowed:
        raise ValidationError({"certifier": reason})
    if actor.user is not None and user.pk == actor.user.pk:
        raise ValidationError({"user": "nobody certifies themselves; ask another trainer"})
    org = membership.organisation
    _same_org_member(org, user, "user")
    rules = load_rules()
    current = [c for c in certificates_of(user, org) if c.level == level]
    for c in current:
        held = _held([c])[0]
        if holds(level, [held], today, rules) and (c.expires_on - today).days > (
            rules.renewal_window_days
        ):
            raise ValidationError(
                {
                    "level": f"already certified until {c.expires_on:%d %B %Y}; re-certification "
                    f"opens {rules.renewal_window_days} days before expiry"
                }
            )
    pks = list(
        VignetteAttempt.objects.filter(user=user, organisation=org)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    status = evaluate(
        level, attempt_records(user, org), _held(certificates_of(user, org)), today, rules
    )
    if not status.met:
        raise ValidationError({"rule": list(status.reasons)})
    # classify() keeps the database order, so position i is attempt pks[i].
    evidence = [pks[i] for i, c in enumerate(status.attempts) if c.counts and c.passes]
    evidence = evidence[-status.needed :]
    with transaction.atomic():
        cert = Certification.objects.create(
            user=user,
            organisation=org,
            level=level,
            issued_on=today,
            expires_on=expiry_for(today, rules),
            issued_by=actor.user,
            bootstrap=bootstrap,
            rules_version=rules.version,
            evidence=evidence,
        )
        record(
            actor,
            "training.certify",
            object_type="certification",
            object_id=cert.pk,
            details={
                "user": user.pk,
                "level": level,
                "expires_on": cert.expires_on,
                "bootstrap": bootstrap,
                "rules_version": rules.version,
                "run": status.run,
                "evidence": evidence,
            },
        )
    return cert


def revoke(actor: Actor, certification: Certification, *, reason: str, today: date) -> None:
    membership = _membership(actor)
    if certification.organisation_id != membership.organisation_id:
        raise ValidationError({"certification": "no such certificate in your organisation"})
    is_trainer = valid_certificate(actor.user, "trainer", today) is not None
    if not (is_trainer or membership.role == Role.ORG_ADMIN):
        raise ValidationError({"certifier": "only a trainer or an organisation admin revokes"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "say why the certificate is revoked"})
    if certification.revoked:
        raise ValidationError({"certification": "already revoked"})
    with transaction.atomic():
        certification.revoked_at = timezone.now()
        certification.revoked_by = actor.user
        certification.revoke_reason = reason[:2000]
        certification.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        record(
            actor,
            "training.revoke",
            object_type="certification",
            object_id=certification.pk,
            details={"user": certification.user_id, "level": certification.level, "reason": reason},
        )


def demo_certificate(
    actor: Actor, *, user: User, level: str, issued_on: date, organisation: Organisation
) -> Certification:
    """The demo seed's certificates (system actor only): synthetic data, audited as such."""
    if actor.user is not None:
        raise ValidationError({"certifier": "only the demo seed issues certificates directly"})
    rules = load_rules()
    with transaction.atomic():
        cert = Certification.objects.create(
            user=user,
            organisation=organisation,
            level=level,
            issued_on=issued_on,
            expires_on=expiry_for(issued_on, rules),
            rules_version=rules.version,
        )
        record(
            actor,
            "training.certify",
            organisation=organisation,
            object_type="certification",
            object_id=cert.pk,
            details={"user": user.pk, "level": level, "demo": True},
        )
    return cert
