"""Audiences: technical for clinicians, plain for caregivers and teachers (measured).

Readability is the Flesch-Kincaid grade level, implemented here (no extra dependency):
0.39 x words per sentence + 11.8 x syllables per word - 15.59. A reading age of 11-12
is about US grade 6-7; the limit is grade 7. Syllables are counted by vowel groups with
the usual silent-e correction, which is what common readability tools approximate.
"""

from __future__ import annotations

import re

import pytest

from neuroseq.instrument import Instrument
from neuroseq.instrument.activities import Catalogue
from neuroseq.plan import render_plan

MAX_GRADE = 7.0
TECHNICAL = ("brainstem", "diencephalon", "limbic", "cortex", "dysregulat", "threshold")


def syllables(word: str) -> int:
    word = word.lower()
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


def fk_grade(text: str) -> float:
    text = re.sub(r"[#>*\-]", " ", text)
    sentences = [s for s in re.split(r"[.!?\n]+", text) if re.search(r"[A-Za-z]", s)]
    words = re.findall(r"[A-Za-z']+", text)
    n_syllables = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * n_syllables / len(words) - 15.59


def test_fk_grade_tells_plain_from_technical() -> None:
    plain = "The dog ran home. It was a good dog. We like the dog."
    dense = (
        "Neurodevelopmentally informed interventions necessitate comprehensive "
        "multidisciplinary consideration of physiological dysregulation and its sequelae."
    )
    assert fk_grade(plain) < 3 < 15 < fk_grade(dense)


CHILDREN = {
    "brainstem": (96, {"sleep_regulation": 1, "arousal_regulation": 1, "startle_orienting": 1}),
    "limbic": (84, {"attachment": 1, "relational_trust": 0, "affect_regulation": 0}),
    "teen": (180, {"arousal_regulation": 1, "sleep_regulation": 2, "stress_recovery": 1}),
}


@pytest.mark.parametrize("audience", ["caregiver", "teacher"])
@pytest.mark.parametrize("name", sorted(CHILDREN))
@pytest.mark.parametrize("gated", [False, True])
def test_plain_text_reads_at_age_11_to_12(
    make_child,
    make_plan,
    inst: Instrument,
    catalogue: Catalogue,
    insufficient,
    audience: str,
    name: str,
    gated: bool,
) -> None:
    age, ratings = CHILDREN[name]
    plan = make_plan(make_child(age, ratings, insufficient if gated else None))
    text = render_plan(plan, audience, inst, catalogue)  # type: ignore[arg-type]
    grade = fk_grade(text)
    assert grade <= MAX_GRADE, f"{audience}/{name}: Flesch-Kincaid grade {grade:.1f}"
    lowered = text.lower()
    for word in TECHNICAL:
        assert word not in lowered, word
    region = inst.region(plan.phases[0].region)
    assert region.plain_description in text  # the region word is explained where used
    if gated:
        assert "work best once this help is in place" in text


def test_teacher_text_puts_school_first_and_speaks_of_the_pupil(
    make_child, make_plan, inst: Instrument, catalogue: Catalogue
) -> None:
    age, ratings = CHILDREN["brainstem"]
    plan = make_plan(make_child(age, ratings))
    text = render_plan(plan, "teacher", inst, catalogue)
    todo = text.split("## What to do", 1)[1]
    assert todo.index("at school") < todo.index("at home")
    assert "your child" not in text.lower()


def test_clinician_text_is_technical_and_cites(
    make_child, make_plan, inst: Instrument, catalogue: Catalogue
) -> None:
    age, ratings = CHILDREN["brainstem"]
    plan = make_plan(make_child(age, ratings))
    text = render_plan(plan, "clinician", inst, catalogue)
    assert "brainstem" in text and "BELOW THRESHOLD" in text
    assert "Perry BD (2009)" in text
    assert "Next phase when:" in text
    assert "not the proprietary" in text
    assert fk_grade(text) > MAX_GRADE  # the measure separates the audiences


def test_unknown_audience_is_refused(make_child, make_plan, inst, catalogue) -> None:
    plan = make_plan(make_child(96))
    with pytest.raises(ValueError, match="audience"):
        render_plan(plan, "parent", inst, catalogue)  # type: ignore[arg-type]
