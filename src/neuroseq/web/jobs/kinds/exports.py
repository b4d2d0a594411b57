"""The organisation-wide exports of the Exports page, run as jobs (issue 14.1).

They read every signed assessment the owner may see, so they never run in a request. The
writers and the audit entries are the export services' own (``services/exports.py``);
a job only gives them a result file. Both are safe to retry: they only read records and
write their own file (a retried export is audited again, as it was exported again).
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from pydantic import BaseModel, field_validator

from neuroseq.instrument import DEFAULT_VERSION, InstrumentError, load_instrument
from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobError, JobOutcome, job_kind
from neuroseq.web.services import exports as export_service
from neuroseq.web.services.audit import Actor

CSV = "text/csv; charset=utf-8"


def _known_version(version: str) -> str:
    try:
        load_instrument(version)
    except InstrumentError:
        raise ValueError(f"unknown instrument version {version!r}") from None
    return version


class CohortExportParams(BaseModel):
    model_config = {"extra": "forbid"}
    kind: Literal["scores", "ratings"] = "scores"
    instrument_version: str = DEFAULT_VERSION

    _version = field_validator("instrument_version")(_known_version)


class ResearchExportParams(BaseModel):
    model_config = {"extra": "forbid"}
    instrument_version: str = DEFAULT_VERSION

    _version = field_validator("instrument_version")(_known_version)


def _refused(error: ValidationError) -> JobError:
    """An export's own refusal (e.g. too few children), worded as the page would word it."""
    return JobError(" ".join(f"{k}: {m}" for k, ms in error.message_dict.items() for m in ms))


def _file_name(job: JobContext, what: str, version: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return f"{what}-v{version}-{job.job.organisation.slug}-{stamp}.csv"


@job_kind(
    "cohort_export",
    title="Export the cohort (CSV)",
    description="Signed assessments of the clients you can see, one instrument version per "
    "file: scores (one row per assessment) or item ratings (one row per item).",
    permission="export.cohort",
    params=CohortExportParams,
    form_template="jobs/_cohort_export_form.html",
)
def cohort_export(job: JobContext) -> JobOutcome:
    params: CohortExportParams = job.params  # type: ignore[assignment]
    owner = job.owner
    job.progress(0, 1, "reading the signed assessments")
    name = _file_name(job, f"cohort-{params.kind}", params.instrument_version)
    try:
        with job.result_file(name, CSV) as handle:
            rows = export_service.export_cohort(
                Actor(owner, owner.email), params.kind, params.instrument_version, handle
            )
    except ValidationError as error:
        raise _refused(error) from None
    job.progress(1, 1, "written")
    what = "assessments" if params.kind == "scores" else "item ratings"
    return JobOutcome(
        f"{rows:,} rows ({what}, instrument v{params.instrument_version}) exported.",
        details={"rows": rows, "kind": params.kind},
    )


@job_kind(
    "research_export",
    title="De-identified research export (CSV)",
    description="No names, pseudonyms, dates or free text; ids are keyed hashes; small cells "
    "are left empty. Refused when fewer children than the threshold are in the file.",
    permission="export.research",
    params=ResearchExportParams,
    form_template="jobs/_research_export_form.html",
)
def research_export(job: JobContext) -> JobOutcome:
    params: ResearchExportParams = job.params  # type: ignore[assignment]
    owner = job.owner
    job.progress(0, 1, "reading the signed assessments")
    name = _file_name(job, "research", params.instrument_version)
    try:
        with job.result_file(name, CSV) as handle:
            report = export_service.export_research(
                Actor(owner, owner.email), params.instrument_version, handle
            )
    except ValidationError as error:
        raise _refused(error) from None
    job.progress(1, 1, "written")
    return JobOutcome(
        f"{report.assessments:,} assessments of {report.children:,} children exported, "
        f"de-identified (instrument v{params.instrument_version}); small cells left empty.",
        details=report.as_dict(),
    )
