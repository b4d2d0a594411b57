"""PDF reports of many assessments, zipped: one file per signed assessment, for meetings.

Each PDF is made (and audited) exactly as a download from the assessment page, with the
owner's visibility; a signed amendment replaces the version it corrects. A batch is capped,
since each report takes seconds to lay out: narrow it to one child with ``client``.
"""

from __future__ import annotations

import zipfile
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import BaseModel, Field

from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobError, JobOutcome, job_kind
from neuroseq.web.models import AssessmentStatus
from neuroseq.web.permissions import visible_assessments
from neuroseq.web.services import reports as report_service
from neuroseq.web.services.audit import Actor

MAX_REPORTS = 100


class ReportBatchParams(BaseModel):
    model_config = {"extra": "forbid"}
    audience: Literal["clinician", "caregiver", "teacher"] = "clinician"
    client: str = Field(default="", max_length=64, description="a child's pseudonym, or empty")


@job_kind(
    "report_batch",
    title="PDF reports (zip)",
    description="The printed report of every signed assessment you can see (or of one child), "
    "one PDF each, in a zip file.",
    permission="export.record",  # a batch takes records out of the app, like a record export
    params=ReportBatchParams,
    form_template="jobs/_report_batch_form.html",
)
def report_batch(job: JobContext) -> JobOutcome:
    params: ReportBatchParams = job.params  # type: ignore[assignment]
    chosen = (
        visible_assessments(job.owner)
        .filter(status=AssessmentStatus.SIGNED)
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .select_related("client")
        .order_by("client__display_id", "assessment_date", "version")
    )
    who = params.client.strip()
    if who:
        chosen = chosen.filter(client__display_id=who)
    total = chosen.count()
    if total == 0:
        raise JobError(
            f"client: no signed assessment of {who!r} that you can see"
            if who
            else "there is no signed assessment you can see yet"
        )
    if total > MAX_REPORTS:
        raise JobError(
            f"{total:,} signed assessments: at most {MAX_REPORTS} reports per batch; "
            "choose one child (client) instead"
        )
    owner = job.owner
    actor = Actor(owner, owner.email)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    name = f"reports-{params.audience}-{job.job.organisation.slug}-{stamp}.zip"
    failed: list[str] = []
    written = 0
    with (
        job.result_file(name, "application/zip", text=False) as handle,
        zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        for done, a in enumerate(chosen, start=1):
            file_name = report_service.filename(a, params.audience)
            try:
                data = report_service.report_pdf(actor, a, params.audience)
            except ValidationError:  # a stored record that no longer parses: say which
                failed.append(file_name)
            else:
                archive.writestr(file_name, data)
                written += 1
            job.progress(done, total, f"{done:,} of {total:,} reports")
    message = f"{written:,} {params.audience} report{'s' if written != 1 else ''} in the zip."
    if failed:
        message += f" Could not draw {len(failed)}: {', '.join(failed[:5])}."
    return JobOutcome(
        message, alert=bool(failed), details={"reports": written, "failed": len(failed)}
    )
