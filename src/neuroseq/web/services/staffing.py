"""Blind multi-rater staffing: open, invite, rate, submit, close rating, apply a consensus.

Blindness is kept here, not only in templates: ``ratings_visible_to`` is the one place that
says whose values a person may see, and every page and API answer asks it. The consensus
becomes the draft's functional ratings through ``assessments.save_draft`` (a numbered
revision and its audit event, like any edit), and the draft's rater line records the
staffing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from neuroseq.instrument import Instrument, load_instrument
from neuroseq.reliability.staffing import StaffingSummary, summarise
from neuroseq.web.editor.content import Op
from neuroseq.web.editor.fields import FieldError, value_for
from neuroseq.web.models import (
    Assessment,
    AssessmentStatus,
    Membership,
    Staffing,
    StaffingRater,
    StaffingStatus,
    User,
)
from neuroseq.web.permissions import can, get_assessment, membership_of, require
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services.audit import Actor, record

MIN_RATERS = 2
REASON_MAX = 500


# --------------------------------------------------------------------------- reading
def _pk(value: object) -> int:
    """A database id from a URL, or 404 (not a number, or beyond a 64-bit integer)."""
    try:
        number = int(str(value))
    except ValueError:
        raise Http404("no such record") from None
    if not 0 < number < 2**63:
        raise Http404("no such record")
    return number


def find(user: User | None, assessment_pk: object) -> tuple[Assessment, Staffing | None]:
    """The assessment and its staffing, for someone who may see them; else 404.

    The care team sees the assessment as always; an invited rater (or the lead) from
    elsewhere in the organisation sees it through the staffing they were invited to.
    """
    try:
        assessment = get_assessment(user, assessment_pk)
    except Http404:
        membership = membership_of(user)
        if membership is None:
            raise
        try:
            staffing = (
                Staffing.objects.select_related("assessment__client", "lead")
                .filter(
                    Q(lead=user) | Q(raters__user=user),
                    assessment_id=_pk(assessment_pk),
                    assessment__client__organisation_id=membership.organisation_id,
                )
                .distinct()
                .get()
            )
        except Staffing.DoesNotExist:
            raise Http404("no such assessment") from None
        return staffing.assessment, staffing
    return assessment, assessment.staffings.select_related("lead").first()


def get_staffing(user: User | None, pk: object) -> Staffing:
    """A staffing by id, for someone who may see it (``find``'s rules); else 404."""
    number = _pk(pk)
    try:
        assessment_id = Staffing.objects.filter(pk=number).values_list("assessment_id", flat=True)[
            0
        ]
    except IndexError:
        raise Http404("no such staffing") from None
    _, staffing = find(user, assessment_id)
    if staffing is None or staffing.pk != number:
        raise Http404("no such staffing")
    return staffing


def my_staffings(actor: Actor) -> list[dict[str, Any]]:
    """The staffings ``actor`` leads or is invited to (their organisation), audited as a
    read of the list (which children's staffings were shown)."""
    membership = membership_of(actor.user)
    if membership is None or actor.user is None:
        return []
    user = actor.user
    staffings = (
        Staffing.objects.filter(
            Q(lead=user) | Q(raters__user=user),
            assessment__client__organisation_id=membership.organisation_id,
        )
        .select_related("assessment__client", "lead")
        .distinct()
        .order_by("closed_at", "-opened_at")
    )
    rows = []
    for staffing in staffings:
        mine = staffing.raters.filter(user=user).first()
        rows.append({"staffing": staffing, "mine": mine, "is_lead": staffing.lead_id == user.pk})
    record(
        actor,
        "staffing.list",
        details={"staffings": [r["staffing"].pk for r in rows]},
    )
    return rows


def agreement_points(organisation: Any, since: dt.date) -> list[tuple[dt.date, float | None]]:
    """(day rating ended, overall ICC(A,1)) of the organisation's staffings since ``since``,
    for the fidelity dashboard; None where the ICC is undefined for that staffing."""
    staffings = Staffing.objects.filter(
        assessment__client__organisation=organisation,
        rating_closed_at__isnull=False,
        rating_closed_at__date__gte=since,
    )
    rows = staffings.order_by("rating_closed_at").values_list("rating_closed_at", "icc_a1")
    return [(timezone.localdate(closed), value) for closed, value in rows]


def rater_row(staffing: Staffing, user: User | None) -> StaffingRater | None:
    if user is None:
        return None
    return staffing.raters.filter(user=user).first()


def ratings_visible_to(staffing: Staffing, user: User | None) -> dict[int, dict[str, Any]]:
    """rater row pk -> ratings this person may see. The blind rule, in one place.

    While rating is open, a person sees only their own ratings (nothing, for the lead or
    anyone else). Once rating is over, everybody who may see the staffing sees the
    submitted ratings; ratings never submitted stay private to their rater.
    """
    rows = list(staffing.raters.all())
    over = staffing.results_visible
    shown = {r.pk: dict(r.ratings) for r in rows if over and r.submitted}
    for r in rows:
        if user is not None and r.user_id == user.pk:
            shown[r.pk] = dict(r.ratings)
    return shown


def summary(staffing: Staffing) -> StaffingSummary | None:
    """The statistics of the submitted ratings, once rating is over (else None: blind)."""
    if not staffing.results_visible:
        return None
    inst = load_instrument(staffing.assessment.instrument_version)
    rows = [r for r in staffing.raters.select_related("user") if r.submitted]
    ratings = {r.user.email: {f: r.ratings.get(f) for f in inst.function_ids} for r in rows}
    return summarise(ratings, list(inst.function_ids))


def eligible_raters(staffing: Staffing) -> list[Membership]:
    """Active members of the organisation whose role may rate, not yet invited."""
    invited = staffing.raters.values_list("user_id", flat=True)
    members = (
        Membership.objects.filter(
            organisation_id=staffing.assessment.client.organisation_id, is_active=True
        )
        .select_related("user")
        .exclude(user_id__in=invited)
        .order_by("user__email")
    )
    return [m for m in members if m.user.is_active and can(m.user, "staffing.rate")]


# --------------------------------------------------------------------------- writing
def _audit(actor: Actor, action: str, staffing: Staffing, **details: Any) -> None:
    record(
        actor,
        action,
        object_type="staffing",
        object_id=staffing.pk,
        client=staffing.assessment.client,
        details={"assessment": staffing.assessment_id, "status": staffing.status, **details},
    )


def _locked(staffing: Staffing) -> Staffing:
    return (
        Staffing.objects.select_related("assessment__client", "lead")
        .select_for_update(of=("self",))
        .get(pk=staffing.pk)
    )


def _require_lead(actor: Actor, staffing: Staffing) -> None:
    if actor.user is not None:
        require(actor.user, "staffing.lead")
        if staffing.lead_id != actor.user.pk:
            raise ValidationError(
                {"lead": f"only the staffing's lead ({staffing.lead.email}) can do this"}
            )


def _require_status(staffing: Staffing, expected: str, verb: str) -> None:
    if staffing.status != expected:
        raise ValidationError(
            {
                "status": f"only a staffing that is {StaffingStatus(expected).label.lower()} "
                f"can be {verb}; this one is {staffing.get_status_display().lower()}"
            }
        )


def open_staffing(actor: Actor, assessment: Assessment, *, lead: User | None = None) -> Staffing:
    """A supervising clinician opens the staffing of a draft and leads it.

    ``lead`` is for system jobs (the demo seed), which open a staffing on a supervisor's
    behalf.
    """
    if actor.user is not None:
        require(actor.user, "staffing.lead")
        lead = actor.user
    if lead is None:
        raise ValueError("lead: required for a system actor")
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != AssessmentStatus.DRAFT:
            raise ValidationError(
                {"status": "a staffing can be opened only for a draft assessment"}
            )
        if Staffing.objects.filter(assessment=locked).exists():
            raise ValidationError({"status": "this assessment already has a staffing"})
        staffing = Staffing.objects.create(assessment=locked, lead=lead, synthetic=locked.synthetic)
        _audit(actor, "staffing.open", staffing, lead=lead.email)
    return staffing


def invite(actor: Actor, staffing: Staffing, user: User) -> StaffingRater:
    """The lead invites a member of the organisation whose role may rate."""
    with transaction.atomic():
        locked = _locked(staffing)
        _require_lead(actor, locked)
        _require_status(locked, StaffingStatus.OPEN, "joined")
        membership = membership_of(user)
        if (
            membership is None
            or membership.organisation_id != locked.assessment.client.organisation_id
            or not can(user, "staffing.rate")
        ):
            raise ValidationError(
                {"rater": "choose an active member of this organisation whose role may rate"}
            )
        if locked.raters.filter(user=user).exists():
            raise ValidationError({"rater": f"{user.email} is already invited"})
        row = StaffingRater.objects.create(
            staffing=locked, user=user, invited_by=actor.user or locked.lead
        )
        _audit(actor, "staffing.invite", locked, rater=user.email)
    return row


def _my_row(actor: Actor, staffing: Staffing, rater: User | None) -> StaffingRater:
    if actor.user is not None:
        require(actor.user, "staffing.rate")
        rater = actor.user
    if rater is None:
        raise ValueError("rater: required for a system actor")
    row = staffing.raters.select_for_update().filter(user=rater).first()
    if row is None:
        raise ValidationError({"rater": "you are not invited to rate in this staffing"})
    if row.submitted:
        raise ValidationError({"rater": "you have submitted your ratings; they no longer change"})
    _require_status(staffing, StaffingStatus.OPEN, "rated")
    return row


def clean_ratings(inst: Instrument, raw: dict[str, Any]) -> dict[str, int | None]:
    """item -> 0-3 or None from ``functional.<item>`` or ``<item>`` keys; FieldError else."""
    clean: dict[str, int | None] = {}
    for key, value in raw.items():
        item = key.removeprefix("functional.")
        if item not in inst.function_ids:
            raise FieldError(key, "not a function of this instrument")
        clean[item] = value_for(inst, f"functional.{item}", value)
    return clean


def save_ratings(
    actor: Actor, staffing: Staffing, ratings: dict[str, Any], *, rater: User | None = None
) -> StaffingRater:
    """Save (part of) one's own ratings; they stay private until rating is over.

    ``rater`` is for system jobs (the demo seed), which rate on an invited rater's behalf.

    The audit event names the items saved, never their values (the audit log is read by
    people who must not see ratings before the staffing's results).
    """
    inst = load_instrument(staffing.assessment.instrument_version)
    clean = clean_ratings(inst, ratings)
    with transaction.atomic():
        locked = _locked(staffing)
        row = _my_row(actor, locked, rater)
        changed = sorted(k for k, v in clean.items() if row.ratings.get(k) != v)
        if not changed:
            return row
        row.ratings = {**row.ratings, **clean}
        row.revision += 1
        row.saved_at = timezone.now()
        row.save()
        _audit(actor, "staffing.rate", locked, items=changed, revision=row.revision)
    return row


def submit_ratings(actor: Actor, staffing: Staffing, *, rater: User | None = None) -> StaffingRater:
    """Hand in one's ratings. When every invited rater has, rating is over."""
    with transaction.atomic():
        locked = _locked(staffing)
        row = _my_row(actor, locked, rater)
        if not any(v is not None for v in row.ratings.values()):
            raise ValidationError({"ratings": "rate at least one function before submitting"})
        row.submitted_at = timezone.now()
        row.save()
        _audit(actor, "staffing.submit", locked)
        rows = list(locked.raters.all())
        if len(rows) >= MIN_RATERS and all(r.submitted for r in rows):
            _end_rating(actor, locked, "everyone submitted")
    return row


def _end_rating(actor: Actor, staffing: Staffing, why: str) -> None:
    staffing.status = StaffingStatus.RECONCILING
    staffing.rating_closed_at = timezone.now()
    result = summary(staffing)
    staffing.icc_a1 = None if result is None or result.icc is None else result.icc.value
    staffing.save()
    _audit(actor, "staffing.rating_closed", staffing, reason=why, icc_a1=staffing.icc_a1)


def close_rating(actor: Actor, staffing: Staffing) -> Staffing:
    """The lead ends rating (e.g. a rater cannot take part); unsubmitted ratings stay out."""
    with transaction.atomic():
        locked = _locked(staffing)
        _require_lead(actor, locked)
        _require_status(locked, StaffingStatus.OPEN, "closed for rating")
        submitted = locked.raters.filter(submitted_at__isnull=False).count()
        if submitted < MIN_RATERS:
            raise ValidationError(
                {
                    "status": f"at least {MIN_RATERS} raters must submit before rating can "
                    f"close ({submitted} so far)"
                }
            )
        _end_rating(actor, locked, "closed by the lead")
    return locked


def apply_consensus(
    actor: Actor, staffing: Staffing, values: dict[str, Any], reasons: dict[str, Any]
) -> Staffing:
    """The lead's consensus becomes the draft's functional ratings; the staffing closes.

    ``values`` maps each function to 0-3 or not rated (missing keys take the proposed
    median); a value other than the proposed one needs a reason. All or nothing: any
    problem raises ``ValidationError`` naming the items and changes nothing.
    """
    with transaction.atomic():
        locked = _locked(staffing)
        _require_lead(actor, locked)
        _require_status(locked, StaffingStatus.RECONCILING, "reconciled")
        assessment = locked.assessment
        inst = load_instrument(assessment.instrument_version)
        result = summary(locked)
        assert result is not None  # reconciling: rating is over
        proposed = {s.item: s.proposed for s in result.items}
        errors: dict[str, list[str]] = {}
        consensus: dict[str, dict[str, Any]] = {}
        for item in inst.function_ids:
            try:
                value = (
                    value_for(inst, f"functional.{item}", values[item])
                    if item in values
                    else proposed[item]
                )
            except FieldError as error:
                errors.setdefault(f"functional.{item}", []).append(error.message)
                continue
            reason = str(reasons.get(item) or "").strip()
            if len(reason) > REASON_MAX:
                errors.setdefault(f"reason.{item}", []).append(
                    f"expected at most {REASON_MAX} characters"
                )
            if value != proposed[item] and not reason:
                errors.setdefault(f"reason.{item}", []).append(
                    f"{inst.function(item).name}: say why the consensus differs from the "
                    "median of the ratings"
                )
            consensus[item] = {"value": value, "proposed": proposed[item], "reason": reason}
        if errors:
            raise ValidationError(errors)
        if assessment.status != AssessmentStatus.DRAFT:
            raise ValidationError(
                {"status": "the assessment is no longer a draft; return it to apply a consensus"}
            )
        latest = assessment_service.latest_revision(assessment)
        raters = [r.user.email for r in locked.raters.select_related("user") if r.submitted]
        line = f"Staffing led by {locked.lead.email} with {len(raters)} raters"
        ops = [Op("set", f"functional.{i}", value=c["value"]) for i, c in consensus.items()]
        ops.append(Op("set", "rater", value=line[:120]))
        revision = assessment_service.save_draft(
            actor, assessment, latest.number, ops, step="staffing"
        )
        locked.consensus = consensus
        locked.status = StaffingStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.applied_revision = revision.number
        locked.save()
        changed = {i: c["reason"] for i, c in consensus.items() if c["value"] != c["proposed"]}
        _audit(
            actor,
            "staffing.consensus",
            locked,
            revision=revision.number,
            raters=raters,
            changed_from_median=changed,
        )
    return locked
