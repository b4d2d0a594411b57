"""Report downloads: the PDF of one assessment for one audience, and its audit event.

The PDF is drawn from the stored inputs with the same domain code as the pages and the CLI
(``neuroseq.reports``); the child's earlier signed reviews give the progress section and the
plan's history. Families get a report only of what was released to them (the caller checks
with :func:`neuroseq.web.family.released_assessment`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from neuroseq.assessment import Assessment as DomainAssessment
from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.instrument import load_instrument
from neuroseq.reports import AUDIENCES, ReportError, build_report
from neuroseq.web import reports as pdf
from neuroseq.web.models import Assessment
from neuroseq.web.presenters import earlier_signed
from neuroseq.web.services import audit
from neuroseq.web.services.audit import Actor


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise ValidationError(
            {"audience": f"expected one of {', '.join(AUDIENCES)}, got {audience[:40]!r}"}
        )
    return audience


def filename(assessment: Assessment, audience: str) -> str:
    return (
        f"report-{assessment.client.display_id}-{assessment.assessment_date:%Y-%m-%d}-"
        f"{audience}.pdf"
    )


def _named(a: DomainAssessment, pseudonym: str, synthetic: bool) -> DomainAssessment:
    """The record's pseudonym and synthetic mark, whatever an imported file once said."""
    client = a.client.model_copy(update={"pseudonym": pseudonym})
    return a.model_copy(update={"client": client, "synthetic": a.synthetic or synthetic})


def report_pdf(actor: Actor, assessment: Assessment, audience: str) -> bytes:
    """The PDF, audited as ``assessment.report`` with the audience."""
    check_audience(audience)
    inst = load_instrument(assessment.instrument_version)
    client = assessment.client
    try:
        current = parse_assessment(assessment.inputs, inst)
        earlier = [
            parse_assessment(a.inputs, inst) for a in earlier_signed(assessment, inst.version)
        ]
        report = build_report(
            _named(current, client.display_id, assessment.synthetic),
            inst,
            audience,
            earlier=[_named(a, client.display_id, a.synthetic) for a in earlier],
            child_name=client.given_name,
            status_note="" if assessment.is_signed else f"{assessment.status}: not signed",
        )
    except (AssessmentError, ReportError) as exc:
        raise ValidationError({"inputs": exc.errors}) from exc
    data = pdf.report_pdf(report, inst)
    audit.record(
        actor,
        "assessment.report",
        object_type="assessment",
        object_id=assessment.pk,
        client=client,
        details={"audience": audience, "status": assessment.status, "bytes": len(data)},
    )
    return data
