"""The assessment lifecycle: draft -> in_review -> signed; amendments are new versions."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.instrument import DEFAULT_VERSION, InstrumentError, load_instrument
from neuroseq.scoring import score_assessment
from neuroseq.web.models import Assessment, AssessmentStatus, Client, ImmutableRecordError
from neuroseq.web.permissions import require
from neuroseq.web.services.audit import Actor, record

MAX_ERRORS_SHOWN = 50

DRAFT, IN_REVIEW, SIGNED = (
    AssessmentStatus.DRAFT,
    AssessmentStatus.IN_REVIEW,
    AssessmentStatus.SIGNED,
)


def evaluate(client: Client, inputs: Any) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Validate inputs for this client and score them: (normalised inputs, scores, parsed).

    The child in the file is the client on record: the pseudonym becomes the display id and
    a birth date, if given, must match. A synthetic client's assessments are synthetic.
    """
    if not isinstance(inputs, dict):
        raise ValidationError(
            {"inputs": "expected a JSON object in the neuroseq.assessment/1 format"}
        )
    if _has_nul(inputs):
        raise ValidationError({"inputs": "text must not contain NUL (\\u0000) characters"})
    data = copy.deepcopy(inputs)
    given = data.get("client") if isinstance(data.get("client"), dict) else {}
    birth = given.get("birth_date")
    if birth not in (None, client.birth_date.isoformat()):
        raise ValidationError(
            {
                "inputs": f"client.birth_date: expected {client.birth_date.isoformat()} "
                f"(this client's birth date), got {birth!r}"
            }
        )
    data["client"] = {"pseudonym": client.display_id, "birth_date": client.birth_date.isoformat()}
    if client.synthetic:
        data["synthetic"] = True
    elif data.get("synthetic") is True:
        raise ValidationError(
            {"inputs": "synthetic: a real client's assessment cannot be synthetic"}
        )
    try:
        instrument = load_instrument(str(data.get("instrument_version", DEFAULT_VERSION)))
    except InstrumentError as exc:
        raise ValidationError({"inputs": f"instrument_version: {exc}"}) from None
    try:
        parsed = parse_assessment(data, instrument)
    except AssessmentError as exc:
        shown = exc.errors[:MAX_ERRORS_SHOWN]
        if len(exc.errors) > MAX_ERRORS_SHOWN:
            shown.append(f"... and {len(exc.errors) - MAX_ERRORS_SHOWN} more problems")
        raise ValidationError({"inputs": shown}) from None
    today = timezone.localdate()
    if parsed.assessment_date > today:
        raise ValidationError(
            {"inputs": f"assessment_date: expected a date not after today ({today.isoformat()})"}
        )
    scores = score_assessment(parsed, instrument).to_dict()
    normalised = parsed.model_dump(mode="json", exclude_none=False)
    return normalised, scores, parsed


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def create_draft(actor: Actor, client: Client, inputs: Any) -> Assessment:
    if actor.user is not None:
        require(actor.user, "assessment.create")
    normalised, scores, parsed = evaluate(client, inputs)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            client=client,
            lineage=uuid.uuid4(),
            version=1,
            status=DRAFT,
            assessment_date=parsed.assessment_date,
            instrument_version=scores["instrument_version"],
            inputs=normalised,
            scores=scores,
            synthetic=bool(normalised.get("synthetic")),
            created_by=actor.user,
        )
        _audit(actor, "assessment.create", assessment)
    return assessment


def update_draft(actor: Actor, assessment: Assessment, inputs: Any) -> Assessment:
    if actor.user is not None:
        require(actor.user, "assessment.edit_draft")
    normalised, scores, parsed = evaluate(assessment.client, inputs)
    with transaction.atomic():
        locked = _locked(assessment, DRAFT, "edited")
        locked.inputs, locked.scores = normalised, scores
        locked.assessment_date = parsed.assessment_date
        locked.instrument_version = scores["instrument_version"]
        locked.updated_at = timezone.now()
        locked.save()
        _audit(actor, "assessment.update", locked)
    return locked


def submit(actor: Actor, assessment: Assessment) -> Assessment:
    """Hand a draft to a supervising clinician for review."""
    if actor.user is not None:
        require(actor.user, "assessment.submit")
    with transaction.atomic():
        locked = _locked(assessment, DRAFT, "submitted for review")
        locked.status, locked.submitted_at = IN_REVIEW, timezone.now()
        locked.save()
        _audit(actor, "assessment.submit", locked)
    return locked


def sign(actor: Actor, assessment: Assessment, *, signer: Any = None) -> Assessment:
    """Sign an assessment in review. From here on it never changes.

    ``signer`` is for system jobs (the demo seed), which sign on a supervisor's behalf.
    """
    if actor.user is not None:
        require(actor.user, "assessment.sign")
        signer = actor.user
    if signer is None:
        raise ValueError("signer: required for a system actor")
    with transaction.atomic():
        locked = _locked(assessment, IN_REVIEW, "signed")
        locked.status, locked.signed_by, locked.signed_at = SIGNED, signer, timezone.now()
        locked.save()
        _audit(actor, "assessment.sign", locked, signer=signer.email)
    return locked


def amend(actor: Actor, assessment: Assessment, reason: str) -> Assessment:
    """Start a correction of a signed assessment: a new draft version linked to it."""
    if actor.user is not None:
        require(actor.user, "assessment.amend")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "say what is being corrected and why"})
    with transaction.atomic():
        original = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if original.status != SIGNED:
            raise ValidationError(
                {"status": "only a signed assessment can be amended; edit the draft"}
            )
        if Assessment.objects.filter(supersedes=original).exists():
            raise ValidationError({"status": "this version already has an amendment"})
        latest = Assessment.objects.filter(lineage=original.lineage).aggregate(v=Max("version"))[
            "v"
        ]
        amendment = Assessment.objects.create(
            client_id=original.client_id,
            lineage=original.lineage,
            version=latest + 1,
            supersedes=original,
            amendment_reason=reason,
            status=DRAFT,
            assessment_date=original.assessment_date,
            instrument_version=original.instrument_version,
            inputs=copy.deepcopy(original.inputs),
            scores=copy.deepcopy(original.scores),
            synthetic=original.synthetic,
            created_by=actor.user,
        )
        _audit(actor, "assessment.amend", amendment, supersedes=original.pk, reason=reason)
    return amendment


def record_read(actor: Actor, assessment: Assessment) -> None:
    _audit(actor, "assessment.read", assessment)


def _locked(assessment: Assessment, expected: str, verb: str) -> Assessment:
    locked = (
        Assessment.objects.select_related("client")
        .select_for_update(of=("self",))
        .get(pk=assessment.pk)
    )
    if locked.status == SIGNED:
        raise ImmutableRecordError("this assessment is signed and cannot change; amend it instead")
    if locked.status != expected:
        raise ValidationError(
            {
                "status": f"only a {AssessmentStatus(expected).label.lower()} assessment can be "
                f"{verb}; this one is {locked.get_status_display().lower()}"
            }
        )
    return locked


def _audit(actor: Actor, action: str, assessment: Assessment, **details: Any) -> None:
    record(
        actor,
        action,
        object_type="assessment",
        object_id=assessment.pk,
        client=assessment.client,
        details={"version": assessment.version, "status": assessment.status, **details},
    )
