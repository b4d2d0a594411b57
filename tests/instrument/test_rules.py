"""The plan rules file: versioned data, checked against the instrument and the catalogue."""

from __future__ import annotations

import copy
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.instrument.activities import (
    FILE_NAME as CATALOGUE_FILE,
)
from neuroseq.instrument.activities import (
    delivery_problems,
    load_activities,
    load_catalogue_file,
)
from neuroseq.instrument.rules import FILE_NAME, Rules, load_rules, load_rules_file

INST = load_instrument("2")
ORIGINAL = yaml.safe_load((INST.data_dir / FILE_NAME).read_text(encoding="utf-8"))
Edit = Callable[[dict[str, Any]], None]


def test_version_1_has_no_rules_and_version_2_has_them() -> None:
    assert load_rules(load_instrument("1")) is None
    rules = load_rules(INST)
    assert isinstance(rules, Rules)
    assert rules.header.instrument_version == "2"


def test_the_focus_rule_is_196_sem_as_the_issue_computes_it() -> None:
    """Issue 8: with the v1 figures (SD 22, r 0.80) 1.96 x SEM is "about 19 points", so
    the v1 threshold of 15 points was inside measurement error."""
    rules = load_rules(INST)
    assert rules is not None and rules.focus.z == 1.96
    v1 = load_instrument("1")
    threshold = rules.region_threshold(v1, "brainstem")
    assert threshold == pytest.approx(1.96 * 22 * math.sqrt(1 - 0.80))
    assert 19 <= threshold < 20 and threshold > v1.plan.focus_threshold_points


def _load_edited(tmp_path: Path, edit: Edit) -> Rules:
    data = copy.deepcopy(ORIGINAL)
    edit(data)
    path = tmp_path / FILE_NAME
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_rules_file(path, INST)


def _set(*path: Any) -> Edit:
    """``_set("a", 0, "b", value)`` sets ``data["a"][0]["b"] = value``."""
    *keys, value = path

    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_set("coverage", "min_rated", "limbic", 12), "coverage.min_rated.limbic: expected 1-8"),
        (_set("coverage", "min_rated", "brainstam", 2), "unknown region 'brainstam'"),
        (_set("coverage", "relational_required", ["luck"]), "unknown current relational item"),
        (_set("safeguarding", "items", 0, "item", "luck"), "safeguarding.items[0].item"),
        (
            _set("safeguarding", "share_flags_with_family", ["cardiac_concern"]),
            "'cardiac_concern' is not a safeguarding flag",
        ),
        (
            _set("contraindications", 0, "adversity_types", ["bad_luck"]),
            "unknown adversity type 'bad_luck'",
        ),
        (
            _set("contraindications", 0, "low_functions", 0, "function", "touchiness"),
            "unknown function 'touchiness'",
        ),
        (
            _set("contraindications", 0, "sources", ["nobody2030"]),
            "unknown source key 'nobody2030'",
        ),
        (_set("sources", "extra2001", "An uncited source text."), "sources.extra2001: listed but"),
        (_set("medical", "block", "caregiver_text", "Hello {parent}"), "unknown placeholder"),
        (_set("coverage", "block", "text", "Rate {things} first"), "unknown placeholder {things}"),
        (_set("focus", "z", 0), "focus.z"),
        (_set("header", "instrument_version", "1"), "header.instrument_version: expected '2'"),
        (_set("delivery", "allowed_people", "school", ["nanny"]), "allowed_people.school"),
    ],
)
def test_broken_rules_fail_naming_the_entry_and_the_problem(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    with pytest.raises(InstrumentError) as info:
        _load_edited(tmp_path, edit)
    assert FILE_NAME in str(info.value)
    assert expected in str(info.value)


def test_untouched_copy_loads(tmp_path: Path) -> None:
    assert _load_edited(tmp_path, lambda data: None) == load_rules(INST)


# ------------------------------------------------- the catalogue against the rules
CATALOGUE = yaml.safe_load((INST.data_dir / CATALOGUE_FILE).read_text(encoding="utf-8"))


def _catalogue_problems(tmp_path: Path, edit: Edit) -> list[str]:
    data = copy.deepcopy(CATALOGUE)
    edit(data)
    path = tmp_path / CATALOGUE_FILE
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    rules = load_rules(INST)
    assert rules is not None
    return delivery_problems(load_catalogue_file(path, INST), rules)


def _delivery(activity_id: str, index: int, **changes: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        entry = next(a for a in data["activities"] if a["id"] == activity_id)["delivery"][index]
        for key, value in changes.items():
            if key in ("days_per_week", "plain"):
                entry["dosage"][key] = value
            else:
                entry[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _delivery("rocking_glider", 0, setting="school", by=["teacher"]),
            "'teacher' never delivers rocking activities",
        ),
        (
            _delivery("breathing_practice", 1, days_per_week=7),
            "delivery.school.dosage.days_per_week: at most 5 school days, got 7",
        ),
        (
            _delivery("breathing_practice", 1, plain="Three short practices, one before bed"),
            "'bed' does not belong in a school dose",
        ),
        (
            _delivery("special_time_play", 0, by=["caregiver", "teacher"]),
            "'teacher' does not deliver activities in this setting",
        ),
    ],
)
def test_the_catalogue_breaking_a_delivery_rule_is_named(
    tmp_path: Path, edit: Edit, expected: str
) -> None:
    problems = _catalogue_problems(tmp_path, edit)
    assert any(expected in p for p in problems), problems


def test_the_shipped_catalogue_keeps_every_delivery_rule(tmp_path: Path) -> None:
    assert _catalogue_problems(tmp_path, lambda data: None) == []


def test_a_rule_tag_missing_from_the_vocabulary_is_named(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        del data["tags"]["bathing"]
        for a in data["activities"]:
            a["tags"] = [t for t in a.get("tags", []) if t != "bathing"]

    problems = _catalogue_problems(tmp_path, edit)
    assert any("the plan rules use tag 'bathing'" in p for p in problems), problems


def test_a_broken_catalogue_stops_loading_with_its_instrument(tmp_path: Path) -> None:
    shutil.copytree(INST.data_dir, tmp_path / "v2")
    path = tmp_path / "v2" / CATALOGUE_FILE
    data = copy.deepcopy(CATALOGUE)
    _delivery("breathing_practice", 1, days_per_week=6)(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InstrumentError, match="at most 5 school days"):
        load_activities(load_instrument("2", tmp_path))
