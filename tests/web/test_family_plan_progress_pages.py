"""Release to family, the family pages, the plan page and the progress page."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from neuroseq.brainmap.text import format_age
from neuroseq.instrument import load_instrument
from neuroseq.web.models import Role, ViewerKind, ViewerLink
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from .factories import MembershipFactory
from .helpers import make_assessment


def clinician_actor(world):
    return Actor(world.user(Role.CLINICIAN), "clinician")


def family_text(http, world):
    response = http.get(f"/clients/{world.child1.pk}/family/")
    assert response.status_code == 200
    return response.content.decode()


def test_family_sees_nothing_until_a_clinician_shares_it_and_nothing_after_withdrawal(
    world, as_role
):
    viewer = as_role(Role.VIEWER)
    assert "The team has not shared a review yet." in family_text(viewer, world)
    service.release(clinician_actor(world), world.signed)
    shared = family_text(viewer, world)
    assert "How far along each kind of skill is" in shared
    assert world.signed.assessment_date.strftime("%B %Y") in shared
    service.withdraw_release(clinician_actor(world), world.signed)
    assert "The team has not shared a review yet." in family_text(viewer, world)


def test_only_a_signed_assessment_can_be_shared(world):
    for unsigned in (world.draft, world.in_review):
        with pytest.raises(ValidationError) as refused:
            service.release(clinician_actor(world), unsigned)
        assert "only a signed assessment" in refused.value.message_dict["status"][0]


def test_a_signed_correction_replaces_the_shared_version(world, as_role):
    service.release(clinician_actor(world), world.signed)
    supervisor = Actor(world.user(Role.SUPERVISOR), "s")
    amendment = service.amend(supervisor, world.signed, "wrong rating")
    service.sign(supervisor, service.submit(supervisor, amendment))
    viewer = as_role(Role.VIEWER)
    assert "The team has not shared a review yet." in family_text(viewer, world)
    with pytest.raises(ValidationError):
        service.release(clinician_actor(world), world.signed)
    service.release(clinician_actor(world), amendment)
    assert "How far along each kind of skill is" in family_text(viewer, world)


def test_caregiver_and_teacher_read_the_name_as_recorded_and_a_teacher_is_not_the_parent(
    world, as_role
):
    service.release(clinician_actor(world), world.signed)
    caregiver = family_text(as_role(Role.VIEWER), world)
    assert "Alice Quillfeather" in caregiver
    assert "your child" in caregiver
    ViewerLink.objects.filter(client=world.child1).update(kind=ViewerKind.TEACHER)
    teacher = family_text(as_role(Role.VIEWER), world)
    main = teacher.split('<main id="main"')[1]
    assert "Alice Quillfeather" in main
    assert "your child" not in main.lower() and "your young person" not in main.lower()
    assert "for the adults who work with Alice at school" in main


def test_clinicians_preview_both_family_pages_and_see_what_is_not_shared(world, as_role):
    clinician = as_role(Role.CLINICIAN)
    page = clinician.get(f"/clients/{world.child1.pk}/family/").content.decode()
    assert "Preview of the caregiver page" in page and "Nothing is shared with the family" in page
    assert f"/assessments/{world.signed.pk}/" in page  # open it to share it
    teacher = clinician.get(f"/clients/{world.child1.pk}/family/?as=teacher").content.decode()
    assert "Preview of the teacher page" in teacher


def test_linking_records_caregiver_or_teacher(world, as_role):
    teacher = MembershipFactory(organisation=world.team1.organisation, role=Role.VIEWER)
    response = as_role(Role.SUPERVISOR).post(
        f"/clients/{world.child1.pk}/viewers/", {"viewer": teacher.pk, "kind": "teacher"}
    )
    assert response.status_code == 302
    assert ViewerLink.objects.get(client=world.child1, membership=teacher).kind == "teacher"


def page_text(html):
    """What a reader sees: tags and attributes removed."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("audience", ["clinician", "caregiver", "teacher"])
def test_plan_page_is_in_words_not_ids(world, as_role, audience):
    response = as_role(Role.CLINICIAN).get(
        f"/assessments/{world.signed.pk}/plan/?audience={audience}"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page"' in html and "Print this version" in html
    text = page_text(html.split('<main id="main"')[1])
    inst = load_instrument(world.signed.instrument_version)
    # Single-word ids are ordinary words ("attunement", "cortex"); the rest must not show.
    ids = [x.id for x in (*inst.functions, *inst.regions, *inst.domains) if "_" in x.id]
    found = [m.group(0) for i in ids for m in re.finditer(rf".{{60}}\b{i}\b.{{20}}", text)]
    assert not found, found
    assert "{'" not in text and "_rated" not in text
    assert "Who" in text and "Where" in text and "How often" in text
    if audience == "teacher":
        assert "your child" not in text.lower()


def test_plan_page_puts_safety_and_the_gate_before_the_phases(world, as_role):
    html = as_role(Role.CLINICIAN).get(f"/assessments/{world.signed.pk}/plan/").content.decode()
    gate = html.index('<p class="block-label">Relational gate</p>')
    first_phase = html.index("Phase 1 ·")
    assert gate < first_phase


def test_progress_page_defaults_to_about_six_months_earlier_and_can_compare_any_two(world, as_role):
    older = make_assessment(world.child1, "signed", assessment_date="2025-03-16")
    middle = make_assessment(world.child1, "signed", assessment_date="2025-09-20")
    http = as_role(Role.CLINICIAN)
    response = http.get(f"/clients/{world.child1.pk}/progress/")
    assert response.context["after"] == world.signed  # 2026-03-16, the latest
    assert response.context["before"] == middle  # closest to six months earlier
    page = response.content.decode()
    assert "Reliable change" in page and "Trend across all signed assessments" in page
    assert page.count('role="img"') >= 2  # the change map and the trend chart
    chosen = http.get(f"/clients/{world.child1.pk}/progress/?before={older.pk}&after={middle.pk}")
    assert (chosen.context["before"], chosen.context["after"]) == (older, middle)
    same = http.get(f"/clients/{world.child1.pk}/progress/?before={older.pk}&after={older.pk}")
    assert same.status_code == 400 and "two different assessments" in same.content.decode()


def test_progress_needs_two_signed_assessments(world, as_role):
    page = as_role(Role.CLINICIAN).get(f"/clients/{world.child1.pk}/progress/").content.decode()
    assert "Progress needs two signed assessments; this child has one." in page


def test_one_age_on_the_assessment_page(world, as_role):
    """Header, map and lists use one rounding rule (completed months, as the map does)."""
    html = as_role(Role.CLINICIAN).get(f"/assessments/{world.signed.pk}/").content.decode()
    age = format_age(world.signed.scores["chronological_age_months"])
    assert f"age at assessment {age}" in html
    assert f"age {age} \u00b7 assessed" in html  # the map's subtitle
    ages = set(re.findall(r"age (\d+ years(?: \d+ months?)?)", page_text(html)))
    assert ages == {age}, ages


def test_a_ticked_medical_flag_puts_the_referral_first_for_every_reader(world, as_role):
    flagged = make_assessment(
        world.child1,
        "signed",
        assessment_date="2026-04-20",
        clinical_flags={"cardiac_concern": True},
    )
    http = as_role(Role.CLINICIAN)
    for audience in ("clinician", "caregiver", "teacher"):
        html = http.get(f"/assessments/{flagged.pk}/plan/?audience={audience}").content.decode()
        blocks = re.findall(r'class="plan-block plan-block-(\w+)"', html)
        assert blocks and blocks[0] == "medical", (audience, blocks)
        assert html.index("plan-block-medical") < html.index('class="phase')
    clinician = page_text(http.get(f"/assessments/{flagged.pk}/plan/").content.decode())
    assert "Held: Heart-rate regulation" in clinician
    assert "Heart-rate regulation (Heart-rate regulation)" not in clinician
    teacher = page_text(
        http.get(f"/assessments/{flagged.pk}/plan/?audience=teacher").content.decode()
    )
    assert "a check with a doctor" in teacher and "Heartbeat that seems too fast" in teacher


@pytest.mark.parametrize(
    ("months", "flag", "words"),
    [
        (1.0, None, "still building skills most children build in their first year"),
        (7.0, None, "still building skills most children build in their first year"),
        (18.0, None, "working on skills most children build as toddlers (1 to 2 years)"),
        (41.0, None, "like a child of about 3 years"),
        (0.0, "below_norms", "still building the earliest skills our guide describes"),
        (216.0, "ceiling", "at least like a child of 18 years: as far as our guide measures"),
        (None, None, "not enough was rated to say"),
    ],
)
def test_families_read_age_equivalents_in_broad_bands_never_in_months(months, flag, words):
    """A four-year-old is never "like a child of about 1 month" on a family page."""
    from neuroseq.web.family import age_equivalent_words

    assert age_equivalent_words(months, flag, youngest=0.0) == words
    assert "month" not in words
