"""Instruments v1 and v2 load and have the promised shape, v2 is the default, and a broken
data file fails at load naming the file, the item and the problem."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.instrument import MAX_AGE_MONTHS, Instrument, InstrumentError, load_instrument
from neuroseq.instrument.loader import DATA_DIR

V1 = DATA_DIR / "v1"
DATA_FILES = (
    "instrument.yaml",
    "functions.yaml",
    "periods.yaml",
    "adversities.yaml",
    "relational.yaml",
)
BOTTOM_UP = ("brainstem", "diencephalon", "limbic", "cortex")
DOMAINS = ("sensory_integration", "self_regulation", "relational", "cognitive")


# -- the shipped instruments ----------------------------------------------------------


@pytest.fixture(params=["1", "2"])
def inst(request: pytest.FixtureRequest) -> Instrument:
    return load_instrument(request.param)


def test_v1_loads() -> None:
    inst = load_instrument("1")
    assert inst.version == "1"
    assert inst.header.version == "1"
    assert inst.data_dir == V1
    assert inst.flags == ()


def test_v2_is_the_default() -> None:
    inst = load_instrument()
    assert inst.version == inst.header.version == "2"
    assert inst.data_dir == DATA_DIR / "v2"


def test_cache_is_per_version_however_the_version_is_passed() -> None:
    # "cached per version": the default and an explicit "2" are the same version, so one load.
    assert load_instrument("1") is load_instrument("1")
    assert load_instrument() is load_instrument("2")


def test_32_functions_8_per_domain_each_in_one_known_region(inst: Instrument) -> None:
    ids = [f.id for f in inst.functions]
    assert len(ids) == 32
    assert len(set(ids)) == 32
    assert tuple(inst.domain_ids) == DOMAINS
    for d in DOMAINS:
        assert len([f for f in inst.functions if f.domain == d]) == 8, d
    for f in inst.functions:
        # exactly one region: region is a single known id and the one-hot row sums to 1
        assert f.region in inst.region_ids
        assert f.domain in inst.domain_ids
    assert inst.region_matrix.sum(axis=1).tolist() == [1.0] * 32
    assert inst.domain_matrix.sum(axis=1).tolist() == [1.0] * 32
    for r in inst.region_ids:
        assert inst.functions_in_region(r), f"region {r} has no function"


def test_regions_are_in_bottom_up_order(inst: Instrument) -> None:
    ids = inst.region_ids
    # The cortex may be split (cortex, frontal_cortex); the order is the contract.
    assert ids[:4] == BOTTOM_UP
    assert all(r in {"cortex", "frontal_cortex"} for r in ids[3:])


def test_norms_cover_birth_to_18_and_never_fall(inst: Instrument) -> None:
    for f in inst.functions:
        ages = [p.age_months for p in f.norms]
        statuses = [p.status for p in f.norms]
        assert ages[0] == 0 and ages[-1] == MAX_AGE_MONTHS == 216, f.id
        assert ages == sorted(ages) and len(set(ages)) == len(ages), f.id
        assert statuses == sorted(statuses), f.id
        assert all(0 <= s <= 3 for s in statuses), f.id
        assert len(f.norm_source) >= 10, f.id


def test_adversity_catalogue_has_at_least_15_types_with_rationale(inst: Instrument) -> None:
    types = {t.id: t for t in inst.adversity_types}
    assert len(types) >= 15
    for expected in ("intrauterine_alcohol", "neglect", "physical_abuse", "sexual_abuse"):
        assert expected in types
    assert all(t.weight > 0 and t.rationale for t in types.values())
    assert types["intrauterine_alcohol"].periods == ["prenatal"]


def test_nine_contiguous_periods_prenatal_to_18(inst: Instrument) -> None:
    assert inst.period_ids == (
        "prenatal",
        "m0_2",
        "m2_6",
        "m6_12",
        "y1_2",
        "y2_4",
        "y4_6",
        "y6_12",
        "y12_18",
    )
    periods = inst.periods
    assert periods[0].end_months == 0
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.start_months == before.end_months
    assert periods[-1].end_months == 216
    # earlier insults weigh at least as much (timing matters: Hambrick, Brawner and Perry 2019)
    weights = [p.timing_weight for p in periods]
    assert weights == sorted(weights, reverse=True)


def test_sensitivity_lower_regions_most_sensitive_earliest(inst: Instrument) -> None:
    brainstem = [inst.sensitivity["brainstem"][p] for p in inst.period_ids]
    assert brainstem == sorted(brainstem, reverse=True)
    # the period of peak sensitivity never moves earlier going up the regions
    peaks = [
        max(range(len(inst.period_ids)), key=lambda i, r=r: inst.sensitivity[r][inst.period_ids[i]])
        for r in inst.region_ids
    ]
    assert peaks == sorted(peaks)


def test_gate_thresholds_and_relational_items(inst: Instrument) -> None:
    assert inst.gate.sufficient_min == 60
    assert inst.gate.marginal_min == 40
    assert set(inst.history_period_weights) == set(inst.period_ids)
    assert inst.history_items and inst.current_items


def test_header_says_open_and_not_the_proprietary_nmt_metrics(inst: Instrument) -> None:
    header = inst.header
    text = " ".join(header.disclaimer.split()).lower()
    assert "not the proprietary" in text
    assert "nmt" in text
    assert "not" in header.status.lower() and "validated" in header.status.lower()


def test_unknown_version_is_an_instrument_error() -> None:
    with pytest.raises(InstrumentError, match="'99' not found"):
        load_instrument("99")


# -- broken data files ----------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    shutil.copytree(V1, tmp_path / "v1")
    return tmp_path


def _edit(data_dir: Path, name: str, change: Callable[[Any], None]) -> None:
    path = data_dir / "v1" / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _function(data: dict[str, Any], function_id: str) -> dict[str, Any]:
    return next(f for f in data["functions"] if f["id"] == function_id)


def _load_error(data_dir: Path) -> str:
    with pytest.raises(InstrumentError) as info:
        load_instrument("1", data_dir=data_dir)
    return str(info.value)


def test_copied_v1_loads(data_dir: Path) -> None:
    inst = load_instrument("1", data_dir=data_dir)
    assert inst.function_ids == load_instrument("1").function_ids


def test_unknown_region_on_a_function(data_dir: Path) -> None:
    _edit(
        data_dir,
        "functions.yaml",
        lambda d: _function(d, "temperature_regulation").update(region="cerebrum"),
    )
    message = _load_error(data_dir)
    assert "functions.yaml" in message
    assert "temperature_regulation" in message
    assert "region" in message and "cerebrum" in message


def test_norms_that_fall_with_age(data_dir: Path) -> None:
    _edit(
        data_dir,
        "functions.yaml",
        lambda d: _function(d, "heart_rate_regulation").update(
            norms=[[0, 1], [6, 2], [24, 1.5], [216, 3]]
        ),
    )
    message = _load_error(data_dir)
    assert "functions.yaml" in message
    assert "heart_rate_regulation" in message
    assert "norms" in message
    assert "falls" in message


def test_norms_not_reaching_18_years(data_dir: Path) -> None:
    _edit(
        data_dir,
        "functions.yaml",
        lambda d: _function(d, "attachment").update(norms=[[0, 0.5], [36, 3]]),
    )
    message = _load_error(data_dir)
    assert "functions.yaml" in message and "attachment" in message and "norms" in message


def test_brainstem_sensitivity_rising_with_age(data_dir: Path) -> None:
    _edit(
        data_dir,
        "adversities.yaml",
        lambda d: d["sensitivity"]["brainstem"].update(y1_2=0.9),
    )
    message = _load_error(data_dir)
    assert "adversities.yaml" in message
    assert "sensitivity.brainstem" in message


def test_duplicate_function_id_names_file_and_id(data_dir: Path) -> None:
    def duplicate(d: dict[str, Any]) -> None:
        _function(d, "arousal_regulation")["id"] = "sleep_regulation"

    _edit(data_dir, "functions.yaml", duplicate)
    message = _load_error(data_dir)
    assert "sleep_regulation" in message
    assert "duplicate" in message
    assert "functions.yaml" in message  # the file must be named too


def test_missing_file(data_dir: Path) -> None:
    (data_dir / "v1" / "periods.yaml").unlink()
    message = _load_error(data_dir)
    assert "periods.yaml" in message
    assert "missing" in message


def test_header_version_mismatch(data_dir: Path) -> None:
    _edit(data_dir, "instrument.yaml", lambda d: d["header"].update(version="2"))
    message = _load_error(data_dir)
    assert "instrument.yaml" in message
    assert "header.version" in message
    assert "'2'" in message


def test_text_that_is_not_yaml(data_dir: Path) -> None:
    (data_dir / "v1" / "relational.yaml").write_text("gate: [unclosed\n  : : {\n")
    message = _load_error(data_dir)
    assert "relational.yaml" in message
    assert "not valid YAML" in message


def test_binary_file_that_is_not_yaml(data_dir: Path) -> None:
    # e.g. a spreadsheet saved over the YAML file: must be an InstrumentError naming the file
    (data_dir / "v1" / "relational.yaml").write_bytes(b"\xff\xfe\x00\x01PK\x03\x04")
    message = _load_error(data_dir)
    assert "relational.yaml" in message


def test_yaml_that_is_not_a_mapping(data_dir: Path) -> None:
    (data_dir / "v1" / "periods.yaml").write_text("- just\n- a list\n")
    message = _load_error(data_dir)
    assert "periods.yaml" in message


def test_negative_function_weight(data_dir: Path) -> None:
    _edit(
        data_dir,
        "functions.yaml",
        lambda d: _function(d, "suck_swallow_feeding").update(weight=-1),
    )
    message = _load_error(data_dir)
    assert "functions.yaml" in message
    assert "suck_swallow_feeding" in message and "weight" in message


def test_gap_between_periods(data_dir: Path) -> None:
    def gap(d: dict[str, Any]) -> None:
        next(p for p in d["periods"] if p["id"] == "m6_12")["start_months"] = 7

    _edit(data_dir, "periods.yaml", gap)
    message = _load_error(data_dir)
    assert "periods.yaml" in message and "m6_12" in message and "start_months" in message


def test_adversity_type_with_unknown_period(data_dir: Path) -> None:
    def typo(d: dict[str, Any]) -> None:
        next(t for t in d["types"] if t["id"] == "intrauterine_alcohol")["periods"] = ["prenatl"]

    _edit(data_dir, "adversities.yaml", typo)
    message = _load_error(data_dir)
    assert "adversities.yaml" in message
    assert "intrauterine_alcohol" in message and "prenatl" in message


def test_gate_thresholds_out_of_order(data_dir: Path) -> None:
    _edit(data_dir, "relational.yaml", lambda d: d["gate"].update(marginal_min=70))
    message = _load_error(data_dir)
    assert "relational.yaml" in message and "gate" in message and "marginal_min" in message


def test_unknown_field_in_a_function(data_dir: Path) -> None:
    _edit(
        data_dir,
        "functions.yaml",
        lambda d: _function(d, "empathy").update(wieght=2.0),
    )
    message = _load_error(data_dir)
    assert "functions.yaml" in message and "empathy" in message and "wieght" in message
