"""Language of the v2 catalogue, the plan rules and the rendered plans (issue 8, item 8).

Caregiver and teacher words: strengths-based, non-blaming, concrete, readable (Flesch-
Kincaid grade 7 at most, the same measure as ``test_plan_render``); claims hedged, with
the population of each cited study named; no "clinically meaningful" for a gap.
"""

from __future__ import annotations

import re

import pytest
from test_plan_cases import (
    CORTICAL_ONLY,
    FOUR_YEAR_OLD,
    PAE_AND_EARLY_NEGLECT,
    VERY_POOR_RELATIONAL,
)
from test_plan_render import MAX_GRADE, fk_grade

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.instrument.rules import load_rules
from neuroseq.plan import render_plan

BLAMING_OR_ALARMING = (
    "some support, but not much",
    "does not have enough",
    "dysfunctional",
    "a real struggle",
    "failure",
    "your fault",
    "bad parent",
    "clinically meaningful",
)
UNQUALIFIED_CLAIMS = (
    "repetition changes the targeted networks",
    "proven",
    "cures",
    "guarantees",
)
# Sources that are principles, manuals or clinical descriptions, not studies of a population.
NOT_STUDIES = {
    "perry2006",
    "perry2009",
    "gaskill_perry2014",
    "booth2010",
    "powell2014",
    "hughes2019",
}
POPULATION = re.compile(
    r"\b(children|adolescents|youth|young people|infants|adults|pupils|families|mothers|"
    r"preschool|school|boys|girls)\b",
    re.I,
)


def plain_strings(catalogue: Catalogue) -> list[str]:
    texts = []
    for a in catalogue.activities:
        texts += [a.plain_name, a.plain_description]
        texts += [d.dosage.plain for d in a.delivery or ()]
    for action in catalogue.relational_supports.actions:
        texts += [action.plain_name, action.plain_description]
    return texts


def rules_plain_strings(inst: Instrument) -> list[str]:
    rules = load_rules(inst)
    assert rules is not None
    texts = [rules.medical.plain_held_note]
    for block in (rules.medical.block, rules.safeguarding.block, rules.coverage.block):
        texts += [block.plain_title, block.caregiver_text, block.teacher_text or ""]
    for c in rules.contraindications:
        texts += [c.plain_title, c.plain_reason, c.teacher_reason or ""]
    return [t for t in texts if t]


def test_catalogue_and_rules_plain_words_are_kind_and_readable(
    inst2: Instrument, catalogue2: Catalogue
) -> None:
    texts = plain_strings(catalogue2) + rules_plain_strings(inst2)
    for text in texts:
        lowered = text.lower()
        for phrase in BLAMING_OR_ALARMING:
            assert phrase not in lowered, text
        assert "for age" not in lowered, text
    grade = fk_grade("\n".join(t.rstrip(".") + "." for t in texts))
    assert grade <= MAX_GRADE, grade


def test_rationales_hedge_claims_and_name_the_studied_population(catalogue2: Catalogue) -> None:
    for a in catalogue2.activities:
        rationale = " ".join(a.rationale.split())
        for claim in UNQUALIFIED_CLAIMS:
            assert claim not in rationale.lower(), a.id
        studies = [s for s in a.sources if s not in NOT_STUDIES]
        if studies:
            assert POPULATION.search(rationale), f"{a.id}: which population was studied?"


def test_school_doses_are_school_days_and_home_doses_are_home_routines(
    catalogue2: Catalogue,
) -> None:
    for a in catalogue2.activities:
        assert a.delivery is not None, a.id
        for d in a.delivery:
            if d.setting == "school":
                assert d.dosage.days_per_week <= 5, a.id
                assert (
                    "school" in d.dosage.plain.lower()
                    or "class" in d.dosage.plain.lower()
                    or (d.dosage.days_per_week <= 2)
                ), (a.id, d.dosage.plain)
            if d.setting == "home":
                assert "school day" not in d.dosage.plain.lower(), a.id


def test_every_v2_function_has_activities_for_young_children_schoolchildren_and_teenagers(
    inst2: Instrument, catalogue2: Catalogue
) -> None:
    for f in inst2.functions:
        for age in (36, 72, 180):
            reach = [
                a
                for a in catalogue2.activities
                if f.id in a.functions and a.age_acceptable_months.contains(age)
            ]
            if age == 36 and f.id in {"literacy", "reasoning", "self_reflection", "empathy"}:
                continue  # not a target for a 3-year-old
            assert reach, f"{f.id}: no activity acceptable at {age} months"


PLANS = {
    "typical": (72, {}, None, {}, []),
    "pae": (48, FOUR_YEAR_OLD, None, {}, PAE_AND_EARLY_NEGLECT),
    "safeguarding": (
        48,
        FOUR_YEAR_OLD,
        VERY_POOR_RELATIONAL,
        {"placement_move_imminent": True, "current_care_unsafe": True},
        PAE_AND_EARLY_NEGLECT,
    ),
    "teen": (180, CORTICAL_ONLY, None, {}, []),
    "medical": (48, FOUR_YEAR_OLD, None, {"cardiac_concern": True, "choking_aspiration": True}, []),
    "touch": (
        96,
        {**FOUR_YEAR_OLD, "tactile_processing": 0},
        None,
        {},
        [{"type": "physical_abuse", "period": "y2_4", "severity": 2, "chronicity": "repeated"}],
    ),
    "refused": (
        72,
        {"sleep_regulation": None, "arousal_regulation": None, "continence": None},
        None,
        {},
        [],
    ),
}


@pytest.mark.parametrize("audience", ["caregiver", "teacher"])
@pytest.mark.parametrize("name", sorted(PLANS))
def test_rendered_v2_plans_read_at_age_11_to_12_and_never_blame(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue, name: str, audience: str
) -> None:
    age, ratings, relational, flags, history = PLANS[name]
    plan = make_plan2(make_child2(age, ratings, relational, flags, history))
    text = render_plan(plan, audience, inst2, catalogue2)  # type: ignore[arg-type]
    assert fk_grade(text) <= MAX_GRADE, f"{name}/{audience}: {fk_grade(text):.1f}"
    lowered = text.lower()
    for phrase in BLAMING_OR_ALARMING:
        assert phrase not in lowered, phrase
    for word in ("brainstem", "diencephalon", "limbic", "cortex", "threshold", "sem "):
        assert word not in lowered, word
    if audience == "teacher":
        assert "your child" not in lowered and "your young person" not in lowered
    assert "{child}" not in text and "{Child}" not in text


def test_the_clinician_text_never_calls_a_gap_clinically_meaningful(
    make_child2, make_plan2, inst2: Instrument, catalogue2: Catalogue
) -> None:
    for age, ratings, relational, flags, history in PLANS.values():
        plan = make_plan2(make_child2(age, ratings, relational, flags, history))
        text = render_plan(plan, "clinician", inst2, catalogue2)
        assert "clinically meaningful" not in text
        assert "measurement error" in text  # the focus rule is stated
