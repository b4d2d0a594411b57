"""The vignette library: valid against instrument v2, plausible for each child's age."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from neuroseq.instrument import load_instrument
from neuroseq.training import (
    TrainingDataError,
    agreement,
    check_vignette,
    get_vignette,
    load_vignettes,
)
from neuroseq.training.loader import VIGNETTE_DIR, _load_vignettes

INSTRUMENT = load_instrument("2")
VIGNETTES = load_vignettes()


def shortfall(vignette, region: str) -> float:
    """Mean of (typical status at the child's age - key status) over one region's items."""
    items = [f for f in INSTRUMENT.functions if f.region == region]
    return sum(
        INSTRUMENT.typical_status(f.id, vignette.age_months) - vignette.key[f.id].status
        for f in items
    ) / len(items)


def test_library_has_at_least_eight_synthetic_cases_across_ages_2_to_17():
    assert len(VIGNETTES) >= 8
    assert len({v.id for v in VIGNETTES}) == len(VIGNETTES)
    assert len({v.pattern for v in VIGNETTES}) == len(VIGNETTES)
    assert all(v.synthetic for v in VIGNETTES)
    ages = [v.age_months for v in VIGNETTES]
    assert min(ages) < 36 and max(ages) >= 192
    assert all(24 <= a < 216 for a in ages)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_every_function_of_instrument_v2_is_keyed_with_reasoning(vignette):
    assert vignette.instrument_version == "2"
    assert check_vignette(vignette, INSTRUMENT, vignette.id) == []
    assert set(vignette.key) == set(INSTRUMENT.function_ids)
    assert all(len(k.reasoning) >= 20 for k in vignette.key.values())


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_no_key_rating_is_more_than_a_level_above_a_typical_child_of_that_age(vignette):
    too_high = {
        fid: (k.status, round(INSTRUMENT.typical_status(fid, vignette.age_months), 2))
        for fid, k in vignette.key.items()
        if k.status - INSTRUMENT.typical_status(fid, vignette.age_months) > 1.0
    }
    assert too_high == {}


def test_the_control_case_matches_the_typical_child_of_her_age_on_every_item():
    control = get_vignette("typical_control_school_age")
    assert control is not None
    # Every key status is one of the two whole levels around the typical status.
    far = {
        fid: (k.status, round(typical, 2))
        for fid, k in control.key.items()
        if not (
            math.floor(typical := INSTRUMENT.typical_status(fid, control.age_months))
            <= k.status
            <= math.ceil(typical)
        )
    }
    assert far == {}
    # A typical 9-year-old is still developing: the key must not rate her all 3s.
    assert sum(k.status == 2 for k in control.key.values()) >= 8


def test_every_clinical_case_is_below_the_typical_child_overall():
    for vignette in VIGNETTES:
        if vignette.id == "typical_control_school_age":
            continue
        gap = sum(
            INSTRUMENT.typical_status(fid, vignette.age_months) - k.status
            for fid, k in vignette.key.items()
        ) / len(vignette.key)
        assert gap > 0.25, vignette.id


def test_patterns_show_where_they_should():
    neglect = get_vignette("early_neglect_toddler")
    later = get_vignette("later_onset_trauma_teen")
    assert neglect is not None and later is not None
    # Early neglect: regulation (brainstem) hit hardest, more than the cortex.
    assert shortfall(neglect, "brainstem") > 1.0
    assert shortfall(neglect, "brainstem") > shortfall(neglect, "cortex")
    # Later-onset trauma: lower regions near typical, the frontal cortex strained.
    assert shortfall(later, "brainstem") < shortfall(later, "frontal_cortex")
    assert shortfall(later, "diencephalon") < 0.5


def test_check_vignette_names_a_missing_and_an_unknown_function():
    vignette = VIGNETTES[0]
    key = dict(vignette.key)
    moved = key.pop("literacy")
    key["telepathy"] = moved
    broken = vignette.model_copy(update={"key": key})
    problems = check_vignette(broken, INSTRUMENT, "x.yaml")
    assert "x.yaml: key.telepathy: unknown function" in problems
    assert "x.yaml: key.literacy: missing key rating" in problems


def test_a_broken_file_names_file_and_field(tmp_path: Path):
    source = (VIGNETTE_DIR / "early_neglect_toddler.yaml").read_text(encoding="utf-8")
    (tmp_path / "early_neglect_toddler.yaml").write_text(
        source.replace("age_months: 40", "age_months: 300"), encoding="utf-8"
    )
    with pytest.raises(TrainingDataError, match=r"early_neglect_toddler.yaml: age_months"):
        _load_vignettes(tmp_path)


def test_a_file_whose_name_differs_from_its_id_is_refused(tmp_path: Path):
    source = (VIGNETTE_DIR / "early_neglect_toddler.yaml").read_text(encoding="utf-8")
    (tmp_path / "renamed.yaml").write_text(source, encoding="utf-8")
    with pytest.raises(TrainingDataError, match="must match the file name"):
        _load_vignettes(tmp_path)


def test_agreement_of_the_key_with_itself_is_perfect():
    vignette = VIGNETTES[0]
    result = agreement(vignette.key_statuses, vignette)
    assert result.overall.exact == 1.0
    assert result.icc_a1 is not None and result.icc_a1.value == pytest.approx(1.0)
    assert result.missed_most() == ()


def test_agreement_counts_exact_within_one_and_lists_the_largest_miss_first():
    vignette = get_vignette("typical_control_school_age")
    assert vignette is not None
    attempt = dict(vignette.key_statuses)
    attempt["literacy"] = 0  # key 2: two levels off
    attempt["empathy"] = 3  # key 2: one level off
    attempt["reasoning"] = None  # not rated: counted as missed
    result = agreement(attempt, vignette)
    # 32 keyed items: 29 exact; within one: 29 + empathy = 30.
    assert result.overall.exact == pytest.approx(29 / 32)
    assert result.overall.within_one == pytest.approx(30 / 32)
    missed = [i.function_id for i in result.missed_most()]
    assert missed == ["reasoning", "literacy", "empathy"]
    assert result.domains["cognitive"].exact == pytest.approx(6 / 8)
    assert result.domains["sensory_integration"].exact == 1.0
