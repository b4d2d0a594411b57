"""Review and sign: what changed, completeness, return with comments, sign with confirmation.

The same review context feeds the editor's last step (the clinician checks before sending)
and the supervising clinician's pages (return or sign).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.web import plan_page
from neuroseq.web.editor.completeness import check as check_completeness
from neuroseq.web.editor.content import Content
from neuroseq.web.editor.describe import describe_changes
from neuroseq.web.models import Assessment, AssessmentStatus, ImmutableRecordError, ReviewOutcome
from neuroseq.web.permissions import can, get_assessment
from neuroseq.web.presenters import earlier_reviews, present
from neuroseq.web.services import assessments as service
from neuroseq.web.services import staffed_signing
from neuroseq.web.views.common import actor, clinic_view


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label="What should the clinician change?",
        help_text="They see this at the top of the draft.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have reviewed this assessment and its plan, and I sign it. "
        "A signed version never changes; a correction is a new version.",
        error_messages={"required": "Tick the box to confirm you have reviewed it."},
    )


def change_groups(
    assessment: Assessment, inst: Instrument, content: Content
) -> list[dict[str, Any]]:
    """What changed: since the reviewer last returned it, and (amendments) since signing."""
    groups = []
    returned = (
        assessment.review_rounds.filter(outcome=ReviewOutcome.RETURNED)
        .select_related("reviewed_by")
        .first()
    )
    if returned is not None:
        then = assessment.revisions.filter(number=returned.revision).first()
        if then is not None:
            groups.append(
                {
                    "title": f"Changed since it was returned on {returned.reviewed_at:%Y-%m-%d}",
                    "comments": returned.comments,
                    "by": returned.reviewed_by.email if returned.reviewed_by else "",
                    "rows": describe_changes(inst, service.content_of(then), content),
                }
            )
    if assessment.supersedes_id is not None:
        original = assessment.supersedes
        signed = service.content_of(service.latest_revision(original))
        groups.append(
            {
                "title": f"Changed from the signed version {original.version} "
                f"({original.assessment_date:%Y-%m-%d})",
                "comments": "",
                "by": "",
                "rows": describe_changes(inst, signed, content),
            }
        )
    return groups


def plan_summary(assessment: Assessment, inst: Instrument) -> plan_page.PlanPage | None:
    parsed = parse_assessment(assessment.inputs, inst)
    built = plan_page.build(parsed, inst, earlier_reviews(assessment, inst))
    if built is None:
        return None
    plan, catalogue = built
    return plan_page.plan_page(
        plan, inst, catalogue, "clinician", child_name=assessment.client.given_name
    )


def review_context(assessment: Assessment, inst: Instrument, content: Content) -> dict[str, Any]:
    return {
        "completeness": check_completeness(inst, content.inputs, content.marks),
        "problems": check_completeness(inst, content.inputs, content.marks).problems(inst),
        "changes": change_groups(assessment, inst, content),
        "view": present(assessment),
        "plan": plan_summary(assessment, inst),
    }


def _review_page(
    request: HttpRequest, assessment: Assessment, *, status: int = 200, **extra: Any
) -> HttpResponse:
    inst = load_instrument(assessment.instrument_version)
    content = service.content_of(service.latest_revision(assessment))
    context = {
        "a": assessment,
        "client": assessment.client,
        **review_context(assessment, inst, content),
        "return_form": ReturnForm(),
        "sign_form": SignForm(),
        "can_return": can(request.user, "assessment.return"),  # type: ignore[arg-type]
        "can_sign": can(request.user, "assessment.sign"),  # type: ignore[arg-type]
        "staffed": staffed_signing.is_staffed(assessment),
        "certified_lead": staffed_signing.is_certified_lead(request.user),  # type: ignore[arg-type]
        **extra,
    }
    return render(request, "assessments/review.html", context, status=status)


@clinic_view("assessment.sign")
def assessment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the supervising clinician's review page. POST: sign, with the confirmation."""
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    if assessment.status != AssessmentStatus.IN_REVIEW:
        messages.info(request, "Only an assessment waiting for review can be signed.")
        return redirect("assessment_detail", pk=assessment.pk)
    if request.method != "POST":
        service.record_read(actor(request), assessment)
        return _review_page(request, assessment)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _review_page(request, assessment, status=400, sign_form=form)
    try:
        service.sign(actor(request), assessment)
    except ValidationError as error:
        lines = [m for ms in error.message_dict.values() for m in ms]
        return _review_page(request, assessment, status=400, sign_errors=lines)
    except ImmutableRecordError as error:
        messages.error(request, str(error))
        return redirect("assessment_detail", pk=assessment.pk)
    messages.success(request, "Signed. This version can no longer change.")
    return redirect("assessment_detail", pk=assessment.pk)


@clinic_view("assessment.return")
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request.user, pk)  # type: ignore[arg-type]
    if request.method != "POST" or assessment.status != AssessmentStatus.IN_REVIEW:
        return redirect(
            "assessment_sign" if assessment.status == "in_review" else "assessment_detail",
            pk=assessment.pk,
        )
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _review_page(request, assessment, status=400, return_form=form)
    try:
        service.return_for_changes(actor(request), assessment, form.cleaned_data["comments"])
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error("comments" if field == "comments" else None, " ".join(errors))
        return _review_page(request, assessment, status=400, return_form=form)
    messages.success(request, "Returned to the clinician with your comments.")
    return redirect("assessment_detail", pk=assessment.pk)
