"""The activity catalogue: content rules, and broken files failing with file, id, problem."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.instrument.activities import (
    FILE_NAME,
    Catalogue,
    load_activities,
    load_catalogue_file,
)

INST = load_instrument("1")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_activities(INST)


def test_catalogue_is_versioned_and_large_enough(catalogue: Catalogue) -> None:
    assert catalogue.version == "1"
    assert catalogue.header.instrument_version == INST.version
    assert len(catalogue.activities) >= 40
    assert "not the proprietary" in catalogue.header.disclaimer


def test_each_stage_has_the_named_kinds_of_activity(catalogue: Catalogue) -> None:
    by_stage = {
        s: {a.id for a in catalogue.activities if a.stage == s} for s in catalogue.stage_ids
    }
    assert {"drumming_rhythm", "rhythmic_walking", "therapeutic_massage", "swimming"} <= by_stage[
        "regulate"
    ]
    assert {"play_therapy", "mentoring", "animal_assisted", "caregiver_coaching"} <= by_stage[
        "relate"
    ]
    assert {"trauma_focused_cbt", "psychodynamic_therapy", "social_skills_group"} <= by_stage[
        "reason"
    ]


def test_lower_brain_is_reached_only_by_regulating_activities(catalogue: Catalogue) -> None:
    for a in catalogue.activities:
        if {"brainstem", "diencephalon"} & set(a.regions):
            assert a.stage == "regulate", a.id


def test_every_function_has_activities_for_school_age_and_teenagers(catalogue: Catalogue) -> None:
    for f in INST.functions:
        for age in (72, 180):
            reach = [
                a
                for a in catalogue.activities
                if f.id in a.functions and a.age_acceptable_months.contains(age)
            ]
            assert reach, f"{f.id}: no activity acceptable at {age} months"


def test_no_infant_activity_for_a_teenager(catalogue: Catalogue) -> None:
    assert not catalogue.activity("lap_songs_and_bouncing").age_acceptable_months.contains(180)
    for a in catalogue.activities:
        assert a.age_acceptable_months.max >= a.developmental_age_months.min, a.id


def test_sources_are_cited_and_expert_judgement_is_marked(catalogue: Catalogue) -> None:
    for a in catalogue.activities:
        assert a.sources, a.id
        if a.basis != "published":
            assert "expert judgement" in a.rationale.lower(), a.id
    assert "perry2009" in catalogue.sources
    assert "Hambrick" in catalogue.sources["hambrick2019"]


def test_relational_actions_cover_every_current_item(catalogue: Catalogue) -> None:
    for item in INST.current_items:
        assert catalogue.actions_for(item.id), item.id


# ----------------------------------------------------------------- broken files
Edit = Callable[[dict[str, Any]], None]


ORIGINAL = yaml.load(
    (INST.data_dir / FILE_NAME).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader
)


def _load_edited(tmp_path: Path, edit: Edit) -> None:
    data = copy.deepcopy(ORIGINAL)
    edit(data)
    path = tmp_path / FILE_NAME
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    load_catalogue_file(path, INST)


def _activity(data: dict[str, Any], activity_id: str) -> dict[str, Any]:
    return next(a for a in data["activities"] if a["id"] == activity_id)


def _set(activity_id: str, key: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        _activity(data, activity_id)[key] = value

    return edit


def _drop(activity_id: str, key: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        del _activity(data, activity_id)[key]

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _set("swimming", "regions", ["brainstem", "brainstam"]),
            "swimming: regions: unknown region 'brainstam'",
        ),
        (
            _set("swimming", "functions", ["heartbeat"]),
            "swimming: functions: unknown function 'heartbeat'",
        ),
        (_set("swimming", "domains", ["feelings"]), "swimming: domains: unknown domain 'feelings'"),
        (_set("swimming", "functions", ["empathy"]), "'empathy' is in region 'frontal_cortex'"),
        (_set("swimming", "sources", ["nobody2030"]), "unknown source key 'nobody2030'"),
        (_set("swimming", "stage", "dance"), "swimming: stage: unknown stage 'dance'"),
        (
            _set("trauma_focused_cbt", "regions", ["brainstem", "cortex", "frontal_cortex"]),
            "trauma_focused_cbt: regions: a 'reason' activity may not start at 'brainstem'",
        ),
        (_set("swimming", "settings", ["pool"]), "(swimming).settings[0]: Input should be 'home'"),
        (
            _set("swimming", "developmental_age_months", [100, 12]),
            "(swimming).developmental_age_months",
        ),
        (_drop("swimming", "dosage"), "(swimming).dosage: Field required"),
        (
            _set(
                "warm_bath_routine", "rationale", "A warm routine helps children settle at night."
            ),
            "must say which part is expert judgement",
        ),
        (_set("swimming", "id", "rhythmic_walking"), "duplicate activity id(s): rhythmic_walking"),
    ],
)
def test_broken_catalogue_fails_naming_file_activity_and_problem(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    with pytest.raises(InstrumentError) as info:
        _load_edited(tmp_path, edit)
    message = str(info.value)
    assert FILE_NAME in message
    assert expected in message


def test_too_few_activities_is_an_error(tmp_path: Path) -> None:
    def keep_ten(data: dict[str, Any]) -> None:
        data["activities"] = data["activities"][:10]

    with pytest.raises(InstrumentError, match="activities"):
        _load_edited(tmp_path, keep_ten)


def test_unknown_relational_item_is_an_error(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["relational_supports"]["actions"][0]["item"] = "luck"

    with pytest.raises(InstrumentError, match="unknown current relational item 'luck'"):
        _load_edited(tmp_path, edit)


def test_uncited_source_is_an_error(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["sources"]["someone2001"] = "Someone A (2001) A paper nobody cites. J Nowhere 1:1."

    with pytest.raises(InstrumentError, match="sources.someone2001: listed but never cited"):
        _load_edited(tmp_path, edit)


def test_untouched_copy_loads(tmp_path: Path) -> None:
    _load_edited(tmp_path, lambda data: None)


def test_catalogue_travels_with_its_instrument_folder(tmp_path: Path) -> None:
    shutil.copytree(INST.data_dir, tmp_path / "v1")
    moved = load_instrument("1", tmp_path)
    assert load_activities(moved).activity("swimming").name == "Swimming and water play"


def test_missing_catalogue_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="activities.yaml: file missing"):
        load_catalogue_file(tmp_path / FILE_NAME, INST)


# ------------------------------------------------- per-setting delivery (version 2 format)
def _with_delivery(activity_id: str, delivery: list[dict[str, Any]]) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        a = _activity(data, activity_id)
        for key in ("settings", "delivered_by", "dosage"):
            del a[key]
        a["delivery"] = delivery

    return edit


HOME_DAILY = {"days_per_week": 7, "episodes_per_day": 2, "minutes_per_episode": 5, "plain": "x" * 6}
SCHOOL_DAYS = {
    "days_per_week": 5,
    "episodes_per_day": 1,
    "minutes_per_episode": 5,
    "plain": "y" * 6,
}


def test_delivery_gives_each_setting_its_people_and_dose(tmp_path: Path) -> None:
    data = copy.deepcopy(ORIGINAL)
    _with_delivery(
        "swinging",
        [
            {"setting": "home", "by": ["caregiver"], "dosage": HOME_DAILY},
            {"setting": "school", "by": ["teacher", "peer"], "dosage": SCHOOL_DAYS},
        ],
    )(data)
    path = tmp_path / FILE_NAME
    path.write_text(yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False), encoding="utf-8")
    swinging = load_catalogue_file(path, INST).activity("swinging")
    assert swinging.settings == ["home", "school"]
    assert swinging.delivered_by == ["caregiver", "teacher", "peer"]
    assert swinging.pairs() == [("home", "caregiver"), ("school", "teacher"), ("school", "peer")]
    assert swinging.dose_for("school").days_per_week == 5
    assert swinging.dose_for("home").days_per_week == 7
    assert swinging.dosage == swinging.dose_for("home")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _set(
                "swinging",
                "delivery",
                [{"setting": "home", "by": ["caregiver"], "dosage": HOME_DAILY}],
            ),
            "give either delivery or settings, delivered_by, dosage",
        ),
        (
            _with_delivery(
                "swinging",
                [
                    {"setting": "home", "by": ["caregiver"], "dosage": HOME_DAILY},
                    {"setting": "home", "by": ["other"], "dosage": HOME_DAILY},
                ],
            ),
            "one entry per setting",
        ),
        (
            _with_delivery(
                "swinging", [{"setting": "home", "by": ["nanny"], "dosage": HOME_DAILY}]
            ),
            "(swinging).delivery[0].by[0]",
        ),
        (_set("swinging", "tags", ["touch"]), "swinging: tags: unknown tag 'touch'"),
    ],
)
def test_broken_delivery_or_tags_fail_naming_the_activity(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    with pytest.raises(InstrumentError) as info:
        _load_edited(tmp_path, edit)
    assert expected in str(info.value)


def test_relational_core_must_name_relational_activities(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["relational_core"] = {
            "rationale": "Relationships are the core repetitive intervention (Perry 2009).",
            "sources": ["perry2009"],
            "activities": ["caregiver_coaching", "swinging", "no_such_thing"],
            "max_activities": 2,
        }

    with pytest.raises(InstrumentError) as info:
        _load_edited(tmp_path, edit)
    assert "'swinging' is a 'regulate' activity" in str(info.value)
    assert "unknown activity 'no_such_thing'" in str(info.value)
