"""Challenges vs function on generated cohorts of known structure.

Each cohort is generated here with numpy: y = a + b x + c (h - 50) + noise, with x
(challenges) and h (relational health history) independent. The fit must recover b
within four standard errors, where the SE is derived from n and the generating
variances (not from the code under test): SE(b) = sd(y | x) / (sd(x) sqrt(n)).
Because h adds to y, the children below the line must have lower h.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from neuroseq.cohort.analysis import (
    AGE,
    CHALLENGES,
    CURRENT,
    HISTORY,
    SAMPLE_SIZE,
    CohortAnalysis,
    analyse,
)
from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.plot import render_cohort_plot
from neuroseq.instrument import load_instrument

INST = load_instrument()
PERIODS = [f"period_load.{p}" for p in INST.period_ids]


def cohort(n: int, seed: int, slope: float = -0.4, history_effect: float = 0.3) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, n)
    h = rng.normal(50, 15, n)
    c = rng.normal(55, 15, n)
    age = rng.uniform(24, 216, n)
    loads = rng.exponential(2.0, (n, len(PERIODS)))
    noise_sd = 8.0
    y = 95 + slope * x + history_effect * (h - 50) + rng.normal(0, noise_sd, n)
    cols = {CHALLENGES: x, HISTORY: h, CURRENT: c, AGE: age, "age_typical_percent": y}
    cols.update({p: loads[:, j] for j, p in enumerate(PERIODS)})
    sd_y_given_x = np.sqrt(noise_sd**2 + (history_effect * 15) ** 2)
    cols["_se_slope"] = sd_y_given_x / (100 / np.sqrt(12) * np.sqrt(n))
    return cols


@pytest.mark.parametrize(("n", "seed"), [(200, 1), (2_000, 2), (20_000, 3)])
def test_fit_recovers_the_generating_slope_within_four_standard_errors(n: int, seed: int) -> None:
    data = cohort(n, seed)
    fit = analyse(INST, data)
    assert fit.line.n == n
    assert abs(fit.line.slope - (-0.4)) < 4 * data["_se_slope"]
    assert fit.line.slope_ci_low < -0.4 < fit.line.slope_ci_high or n < 1000


def test_children_below_the_line_have_poorer_relational_health_history() -> None:
    fit = analyse(INST, cohort(5_000, 4))
    history = fit.residuals[HISTORY]
    assert history is not None
    assert history.mean_below < history.mean_above
    assert history.ci_low > 0 and history.cohens_d > 0
    assert history.residual_correlation > 0.3
    current = fit.residuals[CURRENT]
    assert current is not None and abs(current.residual_correlation) < 0.1  # unrelated to y


def test_multiple_regression_recovers_the_history_effect() -> None:
    data = cohort(20_000, 5)
    fit = analyse(INST, data)
    assert fit.multiple is not None
    history = fit.multiple.coefficient(HISTORY)
    assert history.ci_low < 0.3 < history.ci_high
    assert fit.multiple.coefficient(CURRENT).ci_low < 0 < fit.multiple.coefficient(CURRENT).ci_high
    assert fit.multiple.n == 20_000 and 0 < fit.multiple.r_squared < 1


def test_timing_model_finds_the_period_that_matters_and_drops_empty_periods() -> None:
    data = cohort(5_000, 6)
    rng = np.random.default_rng(7)
    data["age_typical_percent"] = 80 - 3.0 * data[PERIODS[0]] + rng.normal(0, 5, 5_000)
    data[PERIODS[-1]] = np.zeros(5_000)
    fit = analyse(INST, data)
    assert fit.timing is not None
    first = fit.timing.coefficient(PERIODS[0])
    assert first.ci_low < -3.0 < first.ci_high
    others = [c for c in fit.timing.coefficients if c.name != PERIODS[0]]
    assert all(abs(c.standardised or 0) < 0.05 for c in others)
    assert PERIODS[-1] not in [c.name for c in fit.timing.coefficients]
    assert "left out" in fit.timing.notes[0]


def test_chunked_streaming_equals_one_pass() -> None:
    data = cohort(3_001, 8)
    whole = analyse(INST, data)
    with CohortAnalysis(INST) as analysis:
        for start in range(0, 3_001, 700):
            analysis.add({k: v[start : start + 700] for k, v in data.items() if k != "_se_slope"})
        streamed = analysis.result()
    assert streamed.line.slope == pytest.approx(whole.line.slope)
    one, other = streamed.residuals[HISTORY], whole.residuals[HISTORY]
    assert one is not None and other is not None
    assert (one.n_below, one.n_above) == (other.n_below, other.n_above)
    assert one.difference == pytest.approx(other.difference)


def test_degenerate_cohorts_give_clear_messages_not_tracebacks() -> None:
    with pytest.raises(CohortError, match="at least 3 children"):
        analyse(INST, {k: v[:2] for k, v in cohort(10, 9).items() if k != "_se_slope"})
    flat = cohort(50, 10)
    flat[CHALLENGES] = np.full(50, 20.0)
    with pytest.raises(CohortError, match="Developmental Challenges Score is constant"):
        analyse(INST, flat)
    no_history = cohort(50, 11)
    no_history[HISTORY] = np.full(50, np.nan)
    fit = analyse(INST, no_history)  # the line still stands; the models say why not
    assert fit.multiple is None
    assert any("multiple regression not fitted: too few children" in n for n in fit.notes)
    with pytest.raises(CohortError, match="columns: missing"):
        analyse(INST, {CHALLENGES: np.arange(5.0)})


def test_plot_is_accessible_labelled_and_bounded() -> None:
    data = cohort(5_000, 12)
    with CohortAnalysis(INST, colour="current") as analysis:
        analysis.add(data, synthetic=np.ones(5_000, bool))
        fit = analysis.result()
    svg = render_cohort_plot(fit, INST)
    assert svg.count('class="fit-line"') == 1 and 'class="band"' in svg
    assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
    assert "SYNTHETIC DATA - not real children" in svg
    assert "percent of the typical child of the same age" in svg
    assert "current relational health" in svg
    assert f"a random sample of {SAMPLE_SIZE:,} of 5,000" in svg
    real = analyse(INST, cohort(100, 13), outcome="age_typical_percent")
    assert "SYNTHETIC" not in render_cohort_plot(real, INST)


def test_no_two_labels_right_of_the_plot_overlap() -> None:
    """The 'typical for age' label sat on the legend's '95% band of the line' (QA #19)."""
    fit = analyse(INST, cohort(200, 14), outcome="age_typical_percent")
    svg = render_cohort_plot(fit, INST)
    assert "typical for age (100%)" in svg
    texts = [
        (float(x), float(y), float(size), body)
        for x, y, size, body in re.findall(
            r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"[^>]*>([^<]+)</text>', svg
        )
        if 696 < float(x) < 960  # right of the plot area (PLOT_LEFT + PLOT_WIDTH = 696)
    ]
    assert len(texts) >= 6
    for i, (x1, y1, s1, a) in enumerate(texts):
        for x2, y2, s2, b in texts[i + 1 :]:
            wide1, wide2 = 0.6 * s1 * len(a), 0.6 * s2 * len(b)  # generous glyph widths
            apart_x = x1 + wide1 <= x2 or x2 + wide2 <= x1
            apart_y = abs(y1 - y2) >= max(s1, s2)
            assert apart_x or apart_y, (a, b)
