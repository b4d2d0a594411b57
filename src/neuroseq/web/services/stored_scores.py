"""Write the stored numeric scores behind the analytics page.

The numbers come from the vectorised batch scorer (``neuroseq.scoring.batch``), the same
path as ``neuroseq score --batch`` and ``neuroseq cohort fit``, so the page, the CLI and a
scores CSV agree. Only signed assessments are stored, one row per lineage: signing an
amendment replaces the row of the version it corrects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from neuroseq.assessment import parse_assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.scoring.batch import BatchInput, BatchScores, score_batch
from neuroseq.web.models import (
    AnalyticsSnapshot,
    Assessment,
    AssessmentStatus,
    Organisation,
    StoredScores,
)
from neuroseq.web.models.analytics import DOMAIN_FIELDS, PERIOD_FIELDS, REGION_FIELDS, SCALARS
from neuroseq.web.services.audit import Actor, record

CHUNK = 500


def _value(x: Any) -> float | None:
    number = float(x)
    return None if np.isnan(number) else number


def numbers(assessments: Sequence[Assessment]) -> list[dict[str, float | None]]:
    """The stored fields of each assessment (all of one instrument version), batch-scored."""
    if not assessments:
        return []
    inst = load_instrument(assessments[0].instrument_version)
    parsed = [parse_assessment(a.inputs, inst) for a in assessments]
    return rows_of(score_batch(BatchInput.from_assessments(parsed, inst), inst), inst)


def rows_of(batch: BatchScores, inst: Instrument) -> list[dict[str, float | None]]:
    """One dict of stored fields per scored assessment (NaN, i.e. not rated, is None)."""
    cols = batch.columns(inst)
    region_ix = {r: j for j, r in enumerate(inst.region_ids)}
    domain_ix = {d: j for j, d in enumerate(inst.domain_ids)}
    out = []
    for i in range(len(batch.age_months)):
        row = {field: _value(cols[name][i]) for name, field in SCALARS.items()}
        for r, (score, typical) in REGION_FIELDS.items():
            j = region_ix.get(r)
            row[score] = None if j is None else _value(batch.region_scores[i, j])
            row[typical] = None if j is None else _value(batch.typical_region_scores[i, j])
        for d, (score, typical) in DOMAIN_FIELDS.items():
            j = domain_ix.get(d)
            row[score] = None if j is None else _value(batch.domain_scores[i, j])
            row[typical] = None if j is None else _value(batch.typical_domain_scores[i, j])
        for p, field in PERIOD_FIELDS.items():
            name = f"period_load.{p}"
            row[field] = _value(cols[name][i]) if name in cols else None
        out.append(row)
    return out


def _write(assessments: Sequence[Assessment]) -> int:
    """Upsert the rows of signed assessments (each replaces its lineage's older version)."""
    written = 0
    by_version: dict[str, list[Assessment]] = {}
    for a in assessments:
        by_version.setdefault(a.instrument_version, []).append(a)
    for group in by_version.values():
        for a, values in zip(group, numbers(group), strict=True):
            StoredScores.objects.update_or_create(
                lineage=a.lineage,
                defaults={
                    "organisation_id": a.client.organisation_id,
                    "client_id": a.client_id,
                    "assessment": a,
                    "assessed_on": a.assessment_date,
                    "synthetic": a.synthetic,
                    "instrument_version": a.instrument_version,
                    "stored_at": timezone.now(),
                    **values,
                },
            )
            written += 1
    return written


def store_signed(assessment: Assessment) -> None:
    """Called by ``assessments.sign`` inside its transaction (the sign event is its audit)."""
    if assessment.status != AssessmentStatus.SIGNED:
        raise ValueError("only a signed assessment has stored scores")
    _write([assessment])


def _in_force(organisation: Organisation) -> Iterable[Assessment]:
    """Signed versions not replaced by a signed amendment, oldest version first."""
    return (
        Assessment.objects.filter(client__organisation=organisation, status=AssessmentStatus.SIGNED)
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .select_related("client")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )


def backfill(actor: Actor, organisation: Organisation) -> int:
    """(Re)write the stored scores of every signed assessment of one organisation.

    For databases signed before stored scores existed; running it again rewrites the same
    numbers. Audited once per organisation with the count.
    """
    written = 0
    chunk: list[Assessment] = []
    with transaction.atomic():
        for a in _in_force(organisation):
            chunk.append(a)
            if len(chunk) == CHUNK:
                written += _write(chunk)
                chunk = []
        written += _write(chunk)
        record(
            actor,
            "analytics.backfill",
            organisation=organisation,
            object_type="organisation",
            object_id=organisation.pk,
            details={"rows": written},
        )
    return written


def save_snapshot(
    actor: Actor, organisation_id: int, key: str, stamp: str, figures: dict[str, Any]
) -> AnalyticsSnapshot:
    """Keep the analytics figures of one selection of a large caseload (no client data)."""
    with transaction.atomic():
        snapshot, _ = AnalyticsSnapshot.objects.update_or_create(
            organisation_id=organisation_id,
            key=key,
            defaults={
                "stamp": stamp,
                "figures": figures,
                "computed_at": timezone.now(),
                "refresh_started_at": None,
            },
        )
        record(
            actor,
            "analytics.refit",
            organisation=snapshot.organisation,
            object_type="analytics_snapshot",
            object_id=snapshot.pk,
            details={"key": key, "stamp": stamp},
        )
    return snapshot


def start_refit(actor: Actor, snapshot: AnalyticsSnapshot, filters: dict[str, str]) -> None:
    """Queue the ``analytics_refit`` job for a snapshot whose stored scores have changed."""
    from neuroseq.web.services.jobs import start_job

    with transaction.atomic():
        AnalyticsSnapshot.objects.filter(pk=snapshot.pk).update(refresh_started_at=timezone.now())
        start_job(actor, "analytics_refit", filters)
