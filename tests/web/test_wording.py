"""Plain, consistent words on clinician pages (QA finding 17, the parts outside the plan)."""

from __future__ import annotations

from typing import Any

from neuroseq.brainmap.text import typical_words
from neuroseq.cohort.analysis import labels
from neuroseq.instrument import load_instrument
from neuroseq.web.models import Role

from .helpers import make_assessment


def test_typical_status_for_age_is_a_status_word_not_a_decimal(world: Any, as_role: Any) -> None:
    inst = load_instrument()
    assert typical_words(inst, 3.0) == "3 · mature"
    assert typical_words(inst, 2.45) == "2.5 · between developing and mature"
    assert typical_words(inst, 0.02) == "0 · not yet present"
    draft = make_assessment(world.child1, "draft")
    page = as_role(Role.CLINICIAN).get(f"/assessments/{draft.pk}/edit/functional/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "typical at this age 3 · mature" in text  # a 10-year-old: most functions mature
    assert "typical at this age 3.0" not in text


def test_training_home_has_no_badge_inside_the_sentence(world: Any, as_role: Any) -> None:
    page = as_role(Role.TRAINEE).get("/training/").content.decode()
    assert "All cases are synthetic: invented children, written for training." in page
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert 'class="badge synthetic"' in heading


def test_record_version_and_review_rounds_read_plainly(world: Any, as_role: Any) -> None:
    http = as_role(Role.CLINICIAN)
    client_page = http.get(f"/clients/{world.child1.pk}/").content.decode()
    assert '<th scope="col">Record version</th>' in client_page
    assert "<td>1 (original)</td>" in client_page and "<td>v1</td>" not in client_page
    detail = http.get(f"/assessments/{world.signed.pk}/").content.decode()
    assert "Outcome: signed by supervisor@alpha.example" in detail


def test_period_labels_in_analytics_are_lower_case_after_the_measure() -> None:
    inst = load_instrument()
    names = labels(inst)
    assert names[f"period_load.{inst.periods[0].id}"] == "adversity load, prenatal"
    assert names[f"period_load.{inst.periods[1].id}"] == "adversity load, 0-2 months"


def test_analytics_footnote_has_no_shell_command_or_source_path(world: Any, as_role: Any) -> None:
    inst = load_instrument()
    assert "`neuroseq instrument reference" in inst.reliability.source  # the data keeps it
    page = as_role(Role.SUPERVISOR).get("/analytics/").content.decode()
    footnote = page.split("Reliability figures:", 1)[1].split("</p>", 1)[0]
    assert "SDs measured on a synthetic reference sample" in footnote
    assert "`" not in footnote and "src/neuroseq" not in footnote and "--seed" not in footnote


def test_exports_page_points_to_the_dictionaries_not_a_repository_file(
    world: Any, as_role: Any
) -> None:
    page = as_role(Role.ORG_ADMIN).get("/exports/").content.decode()
    assert 'action="/jobs/start/research_export/"' in page
    assert "docs/interop.md" not in page
    assert '<a href="#dictionaries-title">The dictionaries below</a>' in page
    assert 'id="dictionaries-title"' in page


def test_a_refused_sign_or_return_is_summarised_at_the_top(world: Any, as_role: Any) -> None:
    """The confirmation error used to show only in the form at the bottom of a long page
    (QA finding 20): the summary above the completeness table names it and links to it."""
    http = as_role(Role.SUPERVISOR)
    response = http.post(f"/assessments/{world.in_review.pk}/sign/", {})
    page = response.content.decode()
    assert response.status_code == 400
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "Signing was refused" in summary
    assert '<a href="#id_confirm">Tick the box to confirm you have reviewed it.</a>' in summary
    assert page.index('id="error-summary"') < page.index('id="completeness-title"')
    returned = http.post(f"/assessments/{world.in_review.pk}/return/", {"comments": " "})
    page = returned.content.decode()
    assert returned.status_code == 400
    summary = page.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "The assessment was not returned" in summary and 'href="#id_comments"' in summary
    assert page.index('id="error-summary"') < page.index('id="completeness-title"')
