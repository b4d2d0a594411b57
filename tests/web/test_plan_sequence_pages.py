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
