"""Render once (issue 14.5): a signed assessment's fragments are drawn at signing, kept,
and always byte-identical to a live rendering, also after what they read has changed."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from itertools import islice

import pytest

from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.instrument import load_instrument
from neuroseq.web.models import Assessment, Membership, RenderedAssessment, Role
from neuroseq.web.services import assessments, rendering
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor

from .factories import ClientFactory
from .helpers import make_assessment

SYSTEM = Actor.system("tests")


def signed_from(client, record) -> Assessment:
    marks = {} if record.get("adversities") else {"history": "none"}
    draft = assessments.create_draft(SYSTEM, client, record, marks=marks)
    signer = Membership.objects.filter(
        organisation=client.organisation, role=Role.SUPERVISOR
    ).first()
    return assessments.sign(SYSTEM, assessments.submit(SYSTEM, draft), signer=signer.user)


def viewed(http, *signed: Assessment) -> None:
    """Open each assessment's page once (a signature committed in a test's transaction
    never reaches its after-commit rendering, so the first view stores it)."""
    for a in signed:
        assert http.get(f"/assessments/{a.pk}/").status_code == 200


def kept(a: Assessment) -> dict[str, object]:
    row = RenderedAssessment.objects.get(pk=a.pk)
    return {
        "age_text": row.age_text,
        "snapshot_matches": row.snapshot_matches,
        "maps_html": row.maps_html,
        "scores_html": row.scores_html,
        "plan_summary_html": row.plan_summary_html,
        "plan_html": row.plan_html,
        "family_map_svg": row.family_map_svg or None,
    }


def live(a: Assessment) -> dict[str, object]:
    fresh = asdict(rendering.render_live(Assessment.objects.get(pk=a.pk)))
    fresh.pop("stored")
    return fresh


def synthetic_signed(world, version: str, count: int) -> list[Assessment]:
    records = iter_synthetic_assessments(count, seed=7, inst=load_instrument(version))
    signed = []
    for record in islice(records, count):
        child = ClientFactory(
            care_team=world.team2,
            birth_date=date.fromisoformat(record["client"]["birth_date"]),
            synthetic=True,
        )
        signed.append(signed_from(child, record))
    return signed


@pytest.mark.parametrize("version", ["1", "2"])
def test_signing_keeps_fragments_identical_to_a_live_rendering(
    world, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed = synthetic_signed(world, version, 3)
    for a in signed:
        assert a.instrument_version == version
        stored = kept(a)
        assert stored == live(a)
        assert "<svg" in str(stored["maps_html"])
        # per audience, and the family page's cards split: health and safety notes first
        family = {f"{a}:{part}" for a in ("caregiver", "teacher") for part in ("first", "rest")}
        assert set(stored["plan_html"]) <= {"clinician", "caregiver", "teacher", *family}  # type: ignore[arg-type]


def test_the_worked_example_and_its_follow_up_are_stored_as_shown(world, as_role):
    follow_up = make_assessment(world.child1, "signed", assessment_date="2026-09-14")
    http = as_role(Role.CLINICIAN)
    viewed(http, world.signed, follow_up)
    for a in (world.signed, follow_up):
        stored = kept(a)
        assert stored == live(a)
        page = http.get(f"/assessments/{a.pk}/").content.decode()
        for part in ("maps_html", "scores_html", "plan_summary_html"):
            assert str(stored[part]) in page
        for audience, cards in stored["plan_html"].items():  # type: ignore[union-attr]
            if ":" in audience:  # the family page's split of the same cards
                continue
            plan = http.get(f"/assessments/{a.pk}/plan/?audience={audience}").content.decode()
            assert cards in plan
    # The follow-up's plan reads the earlier review: the cards say so on both paths.
    assert kept(follow_up)["plan_html"] != kept(world.signed)["plan_html"]


def test_drafts_render_live_and_store_nothing(world, as_role):
    http = as_role(Role.CLINICIAN)
    for a in (world.draft, world.in_review):
        assert http.get(f"/assessments/{a.pk}/").status_code == 200
        assert not RenderedAssessment.objects.filter(pk=a.pk).exists()


def test_an_assessment_signed_before_render_once_is_stored_on_first_view(world, as_role):
    RenderedAssessment.objects.all().delete()
    http = as_role(Role.CLINICIAN)
    assert http.get(f"/assessments/{world.signed.pk}/").status_code == 200
    assert kept(world.signed) == live(world.signed)


def test_a_client_edit_renders_the_kept_pages_again(world, as_role):
    viewed(as_role(Role.CLINICIAN), world.signed)
    before = kept(world.signed)
    assert "Alice" in str(before["plan_html"])
    client_service.update_client(SYSTEM, world.child1, given_name="Alicia")
    http = as_role(Role.CLINICIAN)
    plan = http.get(f"/assessments/{world.signed.pk}/plan/?audience=caregiver").content.decode()
    assert "Alicia" in plan
    after = kept(world.signed)
    assert after == live(world.signed)
    assert after["plan_html"] != before["plan_html"]


def test_a_newly_signed_earlier_review_renders_the_later_plan_again(world, as_role):
    http = as_role(Role.CLINICIAN)
    viewed(http, world.signed)
    before = RenderedAssessment.objects.get(pk=world.signed.pk).fingerprint
    earlier = make_assessment(world.child1, "signed", assessment_date="2025-09-15")
    viewed(http, world.signed, earlier)
    assert RenderedAssessment.objects.get(pk=world.signed.pk).fingerprint != before
    assert kept(world.signed) == live(world.signed)
    assert kept(earlier) == live(earlier)


def test_client_page_shows_the_kept_map_and_keeps_the_change_map(world, as_role):
    follow_up = make_assessment(world.child1, "signed", assessment_date="2026-09-14")
    http = as_role(Role.CLINICIAN)
    page = http.get(f"/clients/{world.child1.pk}/").content.decode()  # stores the newest
    assert str(kept(follow_up)["maps_html"]) in page
    changes = RenderedAssessment.objects.get(pk=follow_up.pk).change_maps
    assert list(changes) == [str(world.signed.pk)]
    assert changes[str(world.signed.pk)] in page
    again = http.get(f"/clients/{world.child1.pk}/").content.decode()
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", again) == strip.sub("", page)


def test_family_page_plan_is_the_kept_caregiver_plan(world, as_role):
    assessments.release(Actor(world.user(Role.CLINICIAN), "c"), world.signed)
    page = as_role(Role.VIEWER).get(f"/clients/{world.child1.pk}/family/").content.decode()
    stored = kept(world.signed)  # stored by this first view
    assert str(stored["plan_html"]["caregiver"]) in page  # type: ignore[index]
    assert "Alice's brain map" in str(stored["family_map_svg"])
    assert str(stored["family_map_svg"]) in page
