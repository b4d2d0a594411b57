"""Constructed children for plan tests, scored by the real scoring package.

``make_child(age_months, ratings=..., relational=...)`` starts from a child rated at or
just above the typical status for the age on every function (so no region is below
threshold), applies the overrides and returns the validated assessment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from neuroseq.assessment import Assessment, parse_assessment
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.instrument.activities import Catalogue, load_activities
from neuroseq.plan import Plan, plan_for_assessment

SUFFICIENT = {
    "family_connectedness": 3,
    "caregiver_capacity": 3,
    "placement_security": 3,
    "school_connectedness": 2,
    "peer_connectedness": 2,
}
INSUFFICIENT = {
    "family_connectedness": 1,
    "caregiver_capacity": 0,
    "placement_security": 0,
    "school_connectedness": 1,
    "peer_connectedness": 1,
}

ChildFactory = Callable[..., Assessment]
PlanFactory = Callable[[Assessment], Plan]


@pytest.fixture
def insufficient() -> dict[str, int]:
    return dict(INSUFFICIENT)


@pytest.fixture(scope="session")
def inst() -> Instrument:
    return load_instrument("1")


@pytest.fixture(scope="session")
def catalogue(inst: Instrument) -> Catalogue:
    return load_activities(inst)


def typical_ratings(inst: Instrument, age_months: float) -> dict[str, int]:
    """Each function at the smallest whole status not below the typical child's."""
    return {f.id: math.ceil(inst.typical_status(f.id, age_months) - 1e-9) for f in inst.functions}


@pytest.fixture(scope="session")
def make_child(inst: Instrument) -> ChildFactory:
    def make(
        age_months: float,
        ratings: Mapping[str, int | None] | None = None,
        relational: Mapping[str, int | None] | None = None,
        **extra: Any,
    ) -> Assessment:
        functional: dict[str, int | None] = dict(typical_ratings(inst, age_months))
        functional.update(ratings or {})
        data = {
            "instrument_version": inst.version,
            "synthetic": True,
            "client": {"pseudonym": "TEST"},
            "assessment_date": "2026-11-25",
            "chronological_age_months": age_months,
            "current_relational_health": dict(SUFFICIENT if relational is None else relational),
            "functional": functional,
            **extra,
        }
        return parse_assessment(data, inst)

    return make


@pytest.fixture(scope="session")
def make_plan(inst: Instrument, catalogue: Catalogue) -> PlanFactory:
    def make(assessment: Assessment) -> Plan:
        return plan_for_assessment(assessment, inst, catalogue)

    return make


# ------------------------------------------------------------------ instrument v2
SUFFICIENT_V2 = dict(SUFFICIENT)


@pytest.fixture(scope="session")
def inst2() -> Instrument:
    return load_instrument("2")


@pytest.fixture(scope="session")
def catalogue2(inst2: Instrument) -> Catalogue:
    return load_activities(inst2)


def rounded_typical(inst: Instrument, age_months: float) -> dict[str, int]:
    """Each function at the whole status nearest the typical child's: how a rater would
    rate a typically developing child (not the most favourable rounding)."""
    return {f.id: int(round(inst.typical_status(f.id, age_months))) for f in inst.functions}


@pytest.fixture(scope="session")
def make_child2(inst2: Instrument) -> ChildFactory:
    """A v2 child rated at the typical status for the age, with overrides.

    ``flags`` become ``clinical_flags``; ``adversities`` is the history list; the date can
    be set to build earlier reviews of the same child.
    """

    def make(
        age_months: float,
        ratings: Mapping[str, int | None] | None = None,
        relational: Mapping[str, int | None] | None = None,
        flags: Mapping[str, bool | None] | None = None,
        adversities: list[dict[str, Any]] | None = None,
        assessment_date: str = "2026-11-25",
    ) -> Assessment:
        functional: dict[str, int | None] = dict(rounded_typical(inst2, age_months))
        functional.update(ratings or {})
        data = {
            "instrument_version": "2",
            "synthetic": True,
            "client": {"pseudonym": "TEST"},
            "assessment_date": assessment_date,
            "chronological_age_months": age_months,
            "current_relational_health": dict(SUFFICIENT_V2 if relational is None else relational),
            "functional": functional,
            "clinical_flags": dict(flags or {}),
            "adversities": list(adversities or []),
        }
        return parse_assessment(data, inst2)

    return make


@pytest.fixture(scope="session")
def make_plan2(inst2: Instrument, catalogue2: Catalogue) -> PlanFactory:
    def make(assessment: Assessment) -> Plan:
        return plan_for_assessment(assessment, inst2, catalogue2)

    return make
