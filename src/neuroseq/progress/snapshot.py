"""Build a progress snapshot from an assessment, scored with the explainable scorer."""

from __future__ import annotations

from neuroseq.assessment import Assessment
from neuroseq.instrument import Instrument
from neuroseq.progress.compare import Snapshot
from neuroseq.scoring import score_assessment


def snapshot_of(assessment: Assessment, instrument: Instrument, label: str = "") -> Snapshot:
    scores = score_assessment(assessment, instrument)
    return Snapshot(
        pseudonym=assessment.client.pseudonym,
        instrument_version=assessment.instrument_version,
        assessment_date=assessment.assessment_date,
        age_months=assessment.age_months,
        ratings=dict(assessment.functional),
        functional_score=scores.functional_score,
        region_scores=dict(scores.region_scores),
        domain_scores=dict(scores.domain_scores),
        synthetic=assessment.synthetic,
        label=label,
    )
