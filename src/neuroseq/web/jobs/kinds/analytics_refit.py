"""Refit the analytics page of a large caseload in the background (docs/analytics.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from neuroseq.instrument import load_instrument
from neuroseq.web import analytics
from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.registry import JobError, JobOutcome, job_kind
from neuroseq.web.models import CareTeam
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.stored_scores import save_snapshot


class RefitParams(BaseModel):
    """The page's filters, as its query string carries them."""

    model_config = {"extra": "forbid"}
    team: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    y: analytics.Outcome = "age_typical_percent"
    colour: analytics.Colour = "history"


@job_kind(
    "analytics_refit",
    title="Refresh the analytics page",
    description="Refits challenges vs function and recounts outcomes for a large caseload; "
    "the analytics page starts it when assessments were signed since its last figures.",
    permission="analytics.view",
    params=RefitParams,
)
def analytics_refit(job: JobContext) -> JobOutcome:
    params: RefitParams = job.params  # type: ignore[assignment]
    organisation = job.job.organisation
    if (
        params.team is not None
        and not CareTeam.objects.filter(pk=params.team, organisation=organisation).exists()
    ):
        raise JobError("team: no such care team in your organisation")
    selection = analytics.Selection(
        organisation_id=organisation.pk,
        team_id=params.team,
        date_from=params.date_from,
        date_to=params.date_to,
    )
    filters = {k: str(v) for k, v in params.model_dump().items() if v is not None and v != ""}
    _, stamp = analytics.stamp(organisation.pk)
    figures = analytics.compute_figures(
        load_instrument(),
        selection.rows(),
        outcome=params.y,
        colour=params.colour,
        filters=filters,
    )
    key = analytics.selection_key(selection, params.y, params.colour)
    save_snapshot(Actor(job.owner, job.owner.email), organisation.pk, key, stamp, figures)
    return JobOutcome("The analytics page has been refreshed.", details={"key": key})
