"""Who may sign a staffed assessment: only a certified staffing lead (issue 11, part 3).

Kept apart from ``services.staffing`` so that ``services.assessments.sign`` can ask it
without an import cycle (the staffing service writes the draft through the assessment
service).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from neuroseq.web.models import Assessment, CertificationLevel, Staffing, User
from neuroseq.web.services.certification import valid_certificate

#: the certification level that may sign a staffed assessment (a trainer is one too)
LEAD_LEVEL = CertificationLevel.STAFFING_LEAD


def is_staffed(assessment: Assessment) -> bool:
    return Staffing.objects.filter(assessment=assessment).exists()


def is_certified_lead(user: User | None) -> bool:
    return valid_certificate(user, LEAD_LEVEL, timezone.localdate()) is not None


def require_certified_lead(assessment: Assessment, signer: User) -> None:
    if is_staffed(assessment) and not is_certified_lead(signer):
        raise ValidationError(
            {
                "signer": "this assessment was staffed: only a clinician with a valid staffing "
                "lead certificate can sign it"
            }
        )
