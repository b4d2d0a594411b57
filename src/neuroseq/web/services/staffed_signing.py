"""Who may sign a staffed assessment: only a certified staffing lead (issue 11, part 3).

Kept apart from ``services.staffing`` so that ``services.assessments.sign`` can ask it
without an import cycle (the staffing service writes the draft through the assessment
service).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from neuroseq.web.models import Assessment, Staffing, User

#: the certification level that may sign a staffed assessment
LEAD_LEVEL = "staffing_lead"


def is_staffed(assessment: Assessment) -> bool:
    return Staffing.objects.filter(assessment=assessment).exists()


def valid_certificate(user: User, level: str, *, on: dt.date) -> bool:
    """Stand-in for ``services.certification.valid_certificate`` (branch i11-training).

    Until that branch is merged nobody holds a certificate, so nobody can sign a staffed
    assessment: the safe side of the rule.
    """
    return False


def require_certified_lead(assessment: Assessment, signer: User) -> None:
    if not is_staffed(assessment):
        return
    if not valid_certificate(signer, LEAD_LEVEL, on=timezone.localdate()):
        raise ValidationError(
            {
                "signer": "this assessment was staffed: only a clinician with a valid staffing "
                "lead certificate can sign it"
            }
        )
