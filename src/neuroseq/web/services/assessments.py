"""The assessment lifecycle: draft -> in_review -> signed; amendments are new versions.

Every save of a draft is a numbered revision (optimistic versioning, see ``save_draft``);
a supervising clinician returns a draft with comments or signs it once it is complete;
a signed assessment can be shared with the family (released) and that can be withdrawn.
"""

from __future__ import annotations

import copy
import logging
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from neuroseq.assessment import FORMAT, AssessmentError, parse_assessment
from neuroseq.instrument import DEFAULT_VERSION, InstrumentError, load_instrument
from neuroseq.scoring import score_assessment
from neuroseq.web.editor.completeness import Completeness
from neuroseq.web.editor.completeness import check as check_completeness
from neuroseq.web.editor.content import Conflict, Content, Op, changed_paths, merge
from neuroseq.web.models import (
    Assessment,
    AssessmentStatus,
    Client,
    DraftRevision,
    FamilyRelease,
    ImmutableRecordError,
    ReviewOutcome,
    ReviewRound,
)
from neuroseq.web.permissions import require
from neuroseq.web.services import rendering, stored_scores
from neuroseq.web.services.audit import Actor, record
from neuroseq.web.services.staffed_signing import require_certified_lead

log = logging.getLogger(__name__)

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


class DraftConflict(Exception):
    """Someone else saved the same values while this editor was working: nothing was saved.

    ``conflicts`` holds both values of each field; ``revision`` is the newest revision, which
    the editor merges against when it saves again.
    """

    def __init__(self, conflicts: list[Conflict], revision: DraftRevision):
        super().__init__(f"{len(conflicts)} field(s) changed by someone else")
        self.conflicts = conflicts
        self.revision = revision


def latest_revision(assessment: Assessment) -> DraftRevision:
    revision = assessment.revisions.order_by("-number").first()
    if revision is None:  # only rows written outside the services can lack one
        revision = DraftRevision(assessment=assessment, number=0, inputs=assessment.inputs)
    return revision


def content_of(revision: DraftRevision) -> Content:
    return Content(copy.deepcopy(revision.inputs), dict(revision.marks or {}))


def _new_revision(
    actor: Actor, assessment: Assessment, number: int, marks: dict[str, Any], step: str
) -> DraftRevision:
    return DraftRevision.objects.create(
        assessment=assessment,
        number=number,
        inputs=assessment.inputs,
        marks=marks,
        step=step,
        saved_by=actor.user,
    )


def create_draft(
    actor: Actor,
    client: Client,
    inputs: Any,
    *,
    marks: dict[str, Any] | None = None,
    step: str = "import",
) -> Assessment:
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
        _new_revision(actor, assessment, 1, dict(marks or {}), step)
        _audit(actor, "assessment.create", assessment, step=step)
    return assessment


def start_draft(
    actor: Actor,
    client: Client,
    *,
    assessment_date: str,
    rater: str | None = None,
    instrument_version: str | None = None,
) -> Assessment:
    """A new, empty draft: nothing rated yet, the child's age from the client's birth date."""
    inputs = {
        "format": FORMAT,
        "instrument_version": instrument_version or DEFAULT_VERSION,
        "assessment_date": assessment_date,
        "rater": rater or None,
    }
    return create_draft(actor, client, inputs, step="start")


def update_draft(actor: Actor, assessment: Assessment, inputs: Any) -> Assessment:
    """Replace a draft's inputs wholesale (an imported file); marks are kept."""
    if actor.user is not None:
        require(actor.user, "assessment.edit_draft")
    normalised, scores, parsed = evaluate(assessment.client, inputs)
    with transaction.atomic():
        locked = _locked(assessment, DRAFT, "edited")
        latest = latest_revision(locked)
        locked.inputs, locked.scores = normalised, scores
        locked.assessment_date = parsed.assessment_date
        locked.instrument_version = scores["instrument_version"]
        locked.updated_at = timezone.now()
        locked.save()
        _new_revision(actor, locked, latest.number + 1, dict(latest.marks or {}), "replace")
        _audit(actor, "assessment.update", locked, revision=latest.number + 1, step="replace")
    return locked


def save_draft(
    actor: Actor, assessment: Assessment, base_revision: int, ops: list[Op], *, step: str
) -> DraftRevision:
    """Apply one editor's changes, made on ``base_revision``, to the newest revision.

    Optimistic versioning: changes to values nobody else touched merge; a value someone
    else changed to something different since the base is a conflict, and then nothing is
    saved (``DraftConflict`` carries both values). Invalid results raise ``ValidationError``
    and save nothing either.
    """
    if actor.user is not None:
        require(actor.user, "assessment.edit_draft")
    with transaction.atomic():
        locked = _locked(assessment, DRAFT, "edited")
        current = latest_revision(locked)
        if not 0 <= base_revision <= current.number:
            raise ValidationError(
                {"revision": f"expected a revision between 1 and {current.number}"}
            )
        base = (
            current
            if base_revision == current.number
            else locked.revisions.get(number=base_revision)
        )
        merged, conflicts = merge(content_of(base), content_of(current), ops)
        if conflicts:
            raise DraftConflict(conflicts, current)
        fields = changed_paths(content_of(current), merged)
        if not fields:
            return current
        normalised, scores, parsed = evaluate(locked.client, merged.inputs)
        locked.inputs, locked.scores = normalised, scores
        locked.assessment_date = parsed.assessment_date
        locked.instrument_version = scores["instrument_version"]
        locked.updated_at = timezone.now()
        locked.save()
        revision = _new_revision(actor, locked, current.number + 1, merged.marks, step)
        _audit(
            actor, "assessment.update", locked, revision=revision.number, step=step, fields=fields
        )
    return revision


def completeness(assessment: Assessment) -> Completeness:
    inst = load_instrument(assessment.instrument_version)
    return check_completeness(inst, assessment.inputs, latest_revision(assessment).marks or {})


def _require_complete(assessment: Assessment, verb: str) -> None:
    result = completeness(assessment)
    if not result.ok:
        inst = load_instrument(assessment.instrument_version)
        raise ValidationError(
            {"completeness": [f"cannot be {verb} yet: {p}" for p in result.problems(inst)]}
        )


def submit(actor: Actor, assessment: Assessment) -> Assessment:
    """Hand a complete draft to a supervising clinician for review."""
    if actor.user is not None:
        require(actor.user, "assessment.submit")
    with transaction.atomic():
        locked = _locked(assessment, DRAFT, "submitted for review")
        _require_complete(locked, "sent for review")
        locked.status, locked.submitted_at = IN_REVIEW, timezone.now()
        locked.save()
        ReviewRound.objects.create(
            assessment=locked, revision=latest_revision(locked).number, submitted_by=actor.user
        )
        _audit(actor, "assessment.submit", locked)
    return locked


def _pending_round(assessment: Assessment) -> ReviewRound | None:
    return (
        assessment.review_rounds.select_for_update()
        .filter(outcome=ReviewOutcome.PENDING)
        .order_by("-submitted_at", "-pk")
        .first()
    )


def return_for_changes(actor: Actor, assessment: Assessment, comments: str) -> Assessment:
    """A supervising clinician sends a draft in review back, saying what to change."""
    if actor.user is not None:
        require(actor.user, "assessment.return")
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": "say what the clinician should change"})
    with transaction.atomic():
        locked = _locked(assessment, IN_REVIEW, "returned")
        locked.status = DRAFT
        locked.save()
        review = _pending_round(locked) or ReviewRound(
            assessment=locked, revision=latest_revision(locked).number
        )
        review.outcome, review.comments = ReviewOutcome.RETURNED, comments
        review.reviewed_by, review.reviewed_at = actor.user, timezone.now()
        review.save()
        _audit(actor, "assessment.return", locked)
    return locked


def sign(actor: Actor, assessment: Assessment, *, signer: Any = None) -> Assessment:
    """Sign a complete assessment in review. From here on it never changes.

    ``signer`` is for system jobs (the demo seed), which sign on a supervisor's behalf.
    """
    if actor.user is not None:
        require(actor.user, "assessment.sign")
        signer = actor.user
    if signer is None:
        raise ValueError("signer: required for a system actor")
    with transaction.atomic():
        locked = _locked(assessment, IN_REVIEW, "signed")
        _require_complete(locked, "signed")
        require_certified_lead(locked, signer)
        review = _pending_round(locked)
        if review is not None:
            review.outcome = ReviewOutcome.SIGNED
            review.reviewed_by, review.reviewed_at = signer, timezone.now()
            review.save()
        locked.status, locked.signed_by, locked.signed_at = SIGNED, signer, timezone.now()
        locked.save()
        stored_scores.store_signed(locked)
        _audit(actor, "assessment.sign", locked, signer=signer.email)
        transaction.on_commit(partial(_render_once, locked))
    return locked


def _render_once(assessment: Assessment) -> None:
    """Draw the signed assessment's pages once it is committed (issue 14, render once),
    outside the signing transaction and its locks. A failure here must not undo a
    signature: the first view then draws it."""
    try:
        rendering.store(assessment)
    except Exception:
        log.exception(
            "render once failed for assessment %s; the first view renders it", assessment.pk
        )


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
        marks = dict(latest_revision(original).marks or {})
        _new_revision(actor, amendment, 1, marks, "amend")
        _audit(actor, "assessment.amend", amendment, supersedes=original.pk, reason=reason)
    return amendment


def active_release(assessment: Assessment) -> FamilyRelease | None:
    return assessment.releases.filter(withdrawn_at__isnull=True).order_by("-released_at").first()


def release(actor: Actor, assessment: Assessment, *, by: Any = None) -> FamilyRelease:
    """Share a signed assessment with the child's caregivers and teachers.

    ``by`` is for system jobs (the demo seed), which release on a clinician's behalf.
    """
    if actor.user is not None:
        require(actor.user, "assessment.release")
        by = actor.user
    if by is None:
        raise ValueError("by: required for a system actor")
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if locked.status != SIGNED:
            raise ValidationError({"status": "only a signed assessment can be shared with family"})
        if Assessment.objects.filter(supersedes=locked, status=SIGNED).exists():
            raise ValidationError(
                {"status": "this version has a signed correction: share the correction instead"}
            )
        existing = active_release(locked)
        if existing is not None:
            return existing
        shared = FamilyRelease.objects.create(assessment=locked, released_by=by)
        _audit(actor, "assessment.release", locked)
    return shared


def withdraw_release(actor: Actor, assessment: Assessment) -> None:
    if actor.user is not None:
        require(actor.user, "assessment.release")
    with transaction.atomic():
        shared = assessment.releases.select_for_update().filter(withdrawn_at__isnull=True).first()
        if shared is None:
            raise ValidationError({"status": "this assessment is not shared with family"})
        shared.withdrawn_by, shared.withdrawn_at = actor.user, timezone.now()
        shared.save()
        _audit(actor, "assessment.withdraw_release", assessment)


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
