"""A CSV of the scores of every assessment the owner may see, one row per assessment."""

from __future__ import annotations

import csv

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import BaseModel

from neuroseq.interop.scores_csv import flatten_scores, score_cell, score_columns, text_cell
from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobOutcome, job_kind
from neuroseq.web.models import Assessment, AssessmentStatus
from neuroseq.web.permissions import visible_assessments
from neuroseq.web.services.audit import Actor, record

BASE_COLUMNS = [
    "client",
    "synthetic",
    "assessment_id",
    "version",
    "status",
    "assessment_date",
    "signed_at",
    "instrument_version",
]
CHUNK = 1000


class CohortScoresParams(BaseModel):
    model_config = {"extra": "forbid"}
    signed_only: bool = True


def assessments_for(job: JobContext) -> QuerySet[Assessment]:
    """The owner's visible assessments, without versions a signed amendment replaced."""
    chosen = visible_assessments(job.owner).exclude(superseded_by__status=AssessmentStatus.SIGNED)
    if job.params.signed_only:  # type: ignore[attr-defined]
        chosen = chosen.filter(status=AssessmentStatus.SIGNED)
    return chosen


@job_kind(
    "cohort_scores",
    title="Export cohort scores (CSV)",
    description="One row per assessment of the clients you can see, with every stored "
    "score: for spreadsheets, R or pandas.",
    permission="export.cohort_scores",
    params=CohortScoresParams,
    form_template="jobs/_cohort_scores_form.html",
)
def cohort_scores(job: JobContext) -> JobOutcome:
    chosen = assessments_for(job)
    total = chosen.count()
    versions = chosen.values_list("instrument_version", flat=True).distinct()
    samples = [
        chosen.filter(instrument_version=v).values_list("scores", flat=True).first() or {}
        for v in sorted(set(versions))
    ]
    # Sorted, so the file is the same whatever order the database keeps JSON keys in.
    score_names = sorted(set(score_columns(samples)) - set(BASE_COLUMNS))
    rows = (
        chosen.select_related("client")
        .only(
            "client__display_id",
            "synthetic",
            "version",
            "status",
            "assessment_date",
            "signed_at",
            "instrument_version",
            "scores",
        )
        .order_by("client__display_id", "assessment_date", "version")
    )
    clients: set[int] = set()
    written = 0
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    name = f"cohort-scores-{job.job.organisation.slug}-{stamp}.csv"
    with job.result_file(name, "text/csv; charset=utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(BASE_COLUMNS + score_names)
        for done, a in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
            flat = flatten_scores(a.scores or {})
            writer.writerow(
                [
                    text_cell(a.client.display_id),
                    "true" if a.synthetic else "false",
                    a.pk,
                    a.version,
                    a.status,
                    a.assessment_date.isoformat(),
                    a.signed_at.isoformat() if a.signed_at else "",
                    text_cell(a.instrument_version),
                ]
                + [score_cell(flat.get(column)) for column in score_names]
            )
            clients.add(a.client_id)
            written = done
            job.progress(done, total, f"{done:,} of {total:,} assessments")
    owner = job.owner
    record(
        Actor(owner, owner.email),
        "export.cohort_scores",
        organisation=job.job.organisation,
        object_type="job",
        object_id=job.job.pk,
        details={"rows": written, "client_ids": sorted(clients)},
    )
    which = "signed assessments" if job.params.signed_only else "assessments"  # type: ignore[attr-defined]
    return JobOutcome(
        f"{written:,} {which} of {len(clients):,} clients exported.",
        details={
            "rows": written,
            "clients": len(clients),
            "columns": len(BASE_COLUMNS) + len(score_names),
        },
    )
