"""The batch scores CSV's age column and age-adjusted scores (issue 13): each equals the
one-at-a-time scorer's numbers, so a cohort file and a clinic page never disagree."""

from __future__ import annotations

import numpy as np
import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.instrument import load_instrument
from neuroseq.scoring import score_assessment
from neuroseq.scoring.batch import BatchInput, score_batch

INST = load_instrument()


def test_age_and_age_adjusted_columns_match_the_explainable_scorer() -> None:
    assessments = [parse_assessment(r, INST) for r in iter_synthetic_assessments(40, 3, INST)]
    cols = score_batch(BatchInput.from_assessments(assessments, INST), INST).columns(INST)
    for i, a in enumerate(assessments):
        s = score_assessment(a, INST)
        assert cols["age_months"][i] == pytest.approx(a.age_months)
        for group, scores, typical in (
            ("region", s.region_scores, s.typical_region_scores),
            ("domain", s.domain_scores, s.typical_domain_scores),
        ):
            for key, score in scores.items():
                got = cols[f"{group}_age_typical_percent.{key}"][i]
                base = typical[key]
                if score is None or not base:
                    assert np.isnan(got)
                else:
                    assert got == pytest.approx(100 * score / base)
        for p in INST.period_ids:
            assert cols[f"period_load.{p}"][i] == pytest.approx(s.period_load[p])
