"""The plan page after a year of reviews: one flat year starts one more part, named as a
plateau, and a part with nothing to do is not shown to the family (QA finding 3)."""

from __future__ import annotations

import re

from neuroseq.web.models import Role

from .helpers import make_assessment


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    main = response.content.decode().split('<main id="main"')[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_a_flat_year_starts_one_part_named_as_a_plateau(world, as_role):
    # the worked example as signed a year and six months before world.signed (2026-03-16)
    for date in ("2025-03-16", "2025-09-16"):
        make_assessment(world.child1, "signed", assessment_date=date)
    http = as_role(Role.CLINICIAN)
    url = f"/assessments/{world.signed.pk}/plan/"
    clinician = text_of(http.get(url))
    assert clinician.count("Phase 2 · Now") == 1
    assert "counted as a plateau" in clinician and "plateaued" not in clinician
    assert "Phase 3 · Now" not in clinician
    caregiver = text_of(http.get(url + "?audience=caregiver"))
    # phase 2 (planning and self-control) has no activity for this 10-year-old
    assert "Phase 2" in clinician and "0 episodes" in clinician
    assert "Also now" not in caregiver
    assert "nothing new for you to do in this part" not in caregiver
    assert "getting steadier" not in caregiver
    assert "Where we start" in caregiver


def test_no_focus_with_gaps_still_shows_the_gaps_and_never_says_typical(world, as_role):
    """QA finding 2: the sign page said "keep doing what works" beside age equivalents
    two years behind. The brainstem of this 10-year-old is rated one step below the
    typical child on three of six functions: a gap larger than one SEM, inside 1.96 SEM."""
    from neuroseq.instrument import load_instrument

    inst = load_instrument("2")
    typical = {f.id: int(round(inst.typical_status(f.id, 120))) for f in inst.functions}
    lowered = ("heart_rate_regulation", "sleep_regulation", "arousal_regulation")
    functional = {**typical, **{f: typical[f] - 1 for f in lowered}}
    child = make_assessment(world.child1, "in_review", functional=functional)
    http = as_role(Role.SUPERVISOR)
    sign = text_of(http.get(f"/assessments/{child.pk}/sign/"))
    assert "No focus region" in sign and "not a finding of typical development" in sign
    assert "Brainstem 17 points below (a focus needs more than 26.6)" in sign
    assert "keep doing what works" not in sign
    url = f"/assessments/{child.pk}/plan/"
    assert "Brainstem 17 points below" in text_of(http.get(url))
    for audience in ("caregiver", "teacher"):
        plain = text_of(http.get(f"{url}?audience={audience}"))
        assert "as well as other children" not in plain
        assert "No one part needs to come first right now" in plain


def test_the_clinician_plan_names_regions_alike_and_doses_in_plain_numbers(world, as_role):
    """QA finding 17: "brainstem plateaued" beside "Diencephalon and cerebellum",
    "1 days a week ... 1 times" and "typical at this age 3.0" without its meaning."""
    for date in ("2025-03-16", "2025-09-16"):
        make_assessment(world.child1, "signed", assessment_date=date)
    text = text_of(as_role(Role.CLINICIAN).get(f"/assessments/{world.signed.pk}/plan/"))
    assert "Diencephalon and cerebellum" in text
    for region in ("brainstem", "cortex", "diencephalon", "limbic"):
        assert not re.search(rf"(?<![Ff]rontal )\b{region}\b", text), region
    assert not re.search(r"\b1 (days|times)\b", text)
    assert "1 day a week x 1 a day x 60 min; 1 time, 60 min a week" in text
    # the functions table gives each status its meaning from the instrument's levels
    assert re.search(r"\b\d · (not yet present|emerging|developing|mature)\b", text)
    assert re.search(r"\b\d\.\d · between [\w ]+ and \w+", text)
