"""Verify the audit trail's hash chain in the background."""

from __future__ import annotations

from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobOutcome, job_kind
from neuroseq.web.models import Organisation
from neuroseq.web.services import audit_chain


def verify_chain_for(organisation: Organisation) -> audit_chain.OrganisationReport:
    """From the last checkpoint to the head, with no per-request limit, reporting only the
    asking organisation's numbers (another organisation's problem is named as elsewhere)."""
    return audit_chain.verify_for_organisation(organisation, limit=0)


@job_kind(
    "audit_verify",
    title="Verify the audit trail",
    description="Recompute the audit trail's hash chain and report the first event that "
    "does not fit, if any.",
    permission="audit.view",
)
def audit_verify(job: JobContext) -> JobOutcome:
    job.progress(0, 1, "checking the hash chain")
    report = verify_chain_for(job.job.organisation)
    job.progress(1, 1, "checked")
    return JobOutcome(
        report.message,
        alert=not report.ok,
        details={"ok": report.ok, "complete": report.complete},
    )
