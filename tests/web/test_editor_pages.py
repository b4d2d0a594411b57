"""The draft editor through its pages and its autosave endpoint (pytest-django, real rows).

Bad input gets an error on the field that caused it, a summary that links to the field,
and changes nothing; the autosave endpoint answers JSON for every outcome, never a 500.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.web.models import Assessment, AuditEvent, DraftRevision, ImmutableRecordError, Role
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from .helpers import example_inputs, make_assessment, sign_in


def start(http, world, date="2026-01-10"):
    response = http.post(f"/clients/{world.child1.pk}/assessments/new/", {"assessment_date": date})
    assert response.status_code == 302, response.content.decode()[:500]
    return Assessment.objects.order_by("-pk").first()


def revisions(assessment):
    return DraftRevision.objects.filter(assessment=assessment).count()


def save(http, assessment, ops, revision=None, step="functional"):
    body = {
        "revision": revision or service.latest_revision(assessment).number,
        "step": step,
        "ops": ops,
    }
    return http.post(
        f"/assessments/{assessment.pk}/edit/save/",
        json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def clinician(as_role):
    return as_role(Role.CLINICIAN)


def test_start_a_draft_then_enter_the_history_step(world, clinician):
    draft = start(clinician, world)
    assert draft.status == "draft" and draft.instrument_version == load_instrument().version
    assert draft.inputs["functional"] == {} and draft.inputs["adversities"] == []
    assert revisions(draft) == 1
    page = clinician.get(f"/assessments/{draft.pk}/edit/history/").content.decode()
    assert "Add an adversity" in page and "Developmental Challenges Score" in page


def test_editor_pages_keep_the_site_navigation(world, clinician):
    """The step list is the editor's own; the site's main navigation stays on every step."""
    draft = start(clinician, world)
    for url in (f"/assessments/{draft.pk}/edit/", f"/assessments/{draft.pk}/edit/review/"):
        page = clinician.get(url).content.decode()
        main_nav = page.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
        assert 'href="/clients/"' in main_nav and 'href="/jobs/"' in main_nav, url


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2999-01-01", "expected today or a date in the past"),
        ("10/01/2026", "expected a date as YYYY-MM-DD"),
        ("2015-01-01", "client.birth_date: expected a date before assessment_date"),
    ],
)
def test_a_bad_date_is_refused_on_its_field_and_nothing_is_created(world, clinician, date, message):
    before = Assessment.objects.count()
    response = clinician.post(
        f"/clients/{world.child1.pk}/assessments/new/", {"assessment_date": date}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'href="#id_assessment_date"' in page  # the summary links to the field
    assert Assessment.objects.count() == before


def test_adding_and_removing_adversities_updates_the_load(world, clinician):
    draft = start(clinician, world)
    url = f"/assessments/{draft.pk}/edit/history/"
    response = clinician.post(
        url,
        {
            "revision": 1,
            "action": "add",
            "type": "neglect",
            "period": "m2_6",
            "severity": "3",
            "chronicity": "chronic",
            "note": "from the social care chronology",
        },
    )
    assert response.status_code == 302 and response.url.endswith("?added=1#add")
    draft.refresh_from_db()
    assert draft.inputs["adversities"] == [
        {
            "type": "neglect",
            "period": "m2_6",
            "severity": 3,
            "chronicity": "chronic",
            "note": "from the social care chronology",
        }
    ]
    assert draft.scores["period_load"]["m2_6"] > 0 and draft.scores["period_load"]["m0_2"] == 0
    page = clinician.get(url).content.decode()
    assert f"load {draft.scores['period_load']['m2_6']:.1f}" in page
    entry = re.search(r'name="entry" value="([^"]+)"', page).group(1).replace("&quot;", '"')
    clinician.post(url, {"revision": 2, "action": "remove", "entry": entry})
    draft.refresh_from_db()
    assert draft.inputs["adversities"] == [] and revisions(draft) == 3


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"type": "intrauterine_alcohol", "period": "y1_2"}, "period", "can only be recorded in"),
        ({"type": "neglect", "period": "y12_18"}, "period", "had not reached this period"),
        ({"type": "", "period": "m2_6"}, "type", "choose the kind of adversity"),
        ({"type": "neglect", "period": "m2_6", "severity": "5"}, "severity", "choose mild (1)"),
        ({"type": "neglect", "period": "m2_6", "note": "x" * 501}, "note", "at most 500"),
    ],
)
def test_a_bad_adversity_is_refused_on_its_field(world, clinician, fields, field, message):
    draft = start(clinician, world)  # the child is 9 years 10 months old
    data = {"revision": 1, "action": "add", "severity": "2", "chronicity": "single", **fields}
    response = clinician.post(f"/assessments/{draft.pk}/edit/history/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'href="#f-{field}"' in page and f'id="f-{field}"' in page
    draft.refresh_from_db()
    assert draft.inputs["adversities"] == [] and revisions(draft) == 1


def test_the_functional_step_saves_ratings_and_refuses_a_bad_one_without_saving(world, clinician):
    draft = start(clinician, world)
    inst = load_instrument(draft.instrument_version)
    first, second = inst.function_ids[:2]
    url = f"/assessments/{draft.pk}/edit/functional/"
    ok = clinician.post(url, {"revision": 1, f"functional.{first}": "2", "go": "next"})
    assert ok.status_code == 302 and ok.url.endswith("/edit/flags/")
    bad = clinician.post(
        url, {"revision": 2, f"functional.{first}": "1", f"functional.{second}": "7"}
    )
    page = bad.content.decode()
    assert bad.status_code == 400
    assert f'href="#f-functional-{second}"' in page and "expected a rating 0-3" in page
    draft.refresh_from_db()
    assert draft.inputs["functional"] == {first: 2}  # the valid change was not saved either


def test_autosave_saves_returns_the_live_map_and_audits_the_fields(world, clinician):
    draft = start(clinician, world)
    inst = load_instrument(draft.instrument_version)
    first = inst.function_ids[0]
    response = save(
        clinician, draft, [{"kind": "set", "path": f"functional.{first}", "value": "3"}]
    )
    data = response.json()
    assert response.status_code == 200 and data["revision"] == 2
    assert f'data-function="{first}"' in data["fragments"]["live-map"]
    assert 'data-status="3"' in data["fragments"]["live-map"]
    assert "Items rated by region" in data["fragments"]["coverage"]
    event = AuditEvent.objects.filter(action="assessment.update").order_by("-seq").first()
    assert event.details["fields"] == [f"functional.{first}"] and event.details["revision"] == 2


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ("not json", 400, "expected a JSON object"),
        ('["a list"]', 400, "expected a JSON object"),
        ('{"revision": "1", "ops": []}', 400, "revision"),
        ('{"revision": 1, "ops": []}', 400, "expected a list of 1 to"),
        ('{"revision": 1, "ops": [{"kind": "set", "path": "functional.nope"}]}', 400, "unknown"),
        (
            '{"revision": 1, "ops": [{"kind": "set", "path": "functional.sleep_regulation", '
            '"value": 9}]}',
            400,
            "expected a rating 0-3",
        ),
        ('{"revision": 99, "ops": [{"kind": "set", "path": "rater", "value": "x"}]}', 400, ""),
        (
            '{"revision": 1, "ops": [{"kind": "set", "path": "assessment_date", '
            '"value": "2999-01-01"}]}',
            400,
            "past",
        ),
    ],
)
def test_autosave_answers_bad_input_with_json_and_saves_nothing(
    world, clinician, body, status, expected
):
    draft = start(clinician, world)
    response = clinician.post(
        f"/assessments/{draft.pk}/edit/save/", body, content_type="application/json"
    )
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert expected in json.dumps(response.json())
    assert revisions(draft) == 1


def test_autosave_refuses_huge_bodies_and_non_drafts(world, clinician):
    draft = start(clinician, world)
    huge = save(clinician, draft, [{"kind": "set", "path": "rater", "value": "x" * 70_000}])
    assert huge.status_code == 413
    signed = save(clinician, world.signed, [{"kind": "set", "path": "rater", "value": "x"}])
    assert signed.status_code == 409 and "no longer be edited" in signed.json()["error"]


def test_a_second_editor_gets_both_values_and_nothing_is_overwritten(world, as_role):
    alice = as_role(Role.CLINICIAN)
    draft = start(alice, world)
    path = f"functional.{load_instrument(draft.instrument_version).function_ids[0]}"
    assert (
        save(alice, draft, [{"kind": "set", "path": path, "value": "2"}], revision=1).status_code
        == 200
    )
    bob = sign_in(HttpClient(), world.user(Role.SUPERVISOR))
    clash = save(bob, draft, [{"kind": "set", "path": path, "value": "0"}], revision=1)
    assert clash.status_code == 409
    conflict = clash.json()["conflicts"][0]
    assert conflict["path"] == path
    assert conflict["theirs"].startswith("2 (") and conflict["yours"].startswith("0 (")
    assert conflict["who"] == world.user(Role.CLINICIAN).email
    draft.refresh_from_db()
    assert draft.inputs["functional"][path.split(".")[1]] == 2
    again = save(bob, draft, [{"kind": "set", "path": path, "value": "0", "seen": "2"}], revision=2)
    assert again.status_code == 200
    draft.refresh_from_db()
    assert draft.inputs["functional"][path.split(".")[1]] == 0


def test_the_same_conflict_on_a_plain_form_shows_both_values(world, as_role):
    alice = as_role(Role.CLINICIAN)
    draft = start(alice, world)
    inst = load_instrument(draft.instrument_version)
    name = inst.function_ids[0]
    alice.post(
        f"/assessments/{draft.pk}/edit/functional/", {"revision": 1, f"functional.{name}": "3"}
    )
    bob = sign_in(HttpClient(), world.user(Role.SUPERVISOR))
    response = bob.post(
        f"/assessments/{draft.pk}/edit/functional/", {"revision": 1, f"functional.{name}": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed 1 of the same field" in page
    assert "saved <strong>3 (" in page and "you chose <strong>1 (" in page


def test_completeness_is_required_to_send_and_to_sign(world, clinician):
    draft = start(clinician, world)
    response = clinician.post(f"/assessments/{draft.pk}/submit/", follow=True)
    page = response.content.decode()
    assert "cannot be sent for review yet" in page and "Developmental history" in page
    draft.refresh_from_db()
    assert draft.status == "draft"
    Assessment.objects.filter(pk=draft.pk).update(status="in_review")  # a record from before
    with pytest.raises(ValidationError) as refused:
        service.sign(Actor(world.user(Role.SUPERVISOR), "s"), Assessment.objects.get(pk=draft.pk))
    assert any("cannot be signed yet" in m for m in refused.value.message_dict["completeness"])


def test_marks_count_as_entered_and_not_known_is_said_plainly(world, clinician):
    draft = start(clinician, world)
    for step, value in (
        ("history", "none"),
        ("relational-history", "not_known"),
        ("current-relational", "not_known"),
    ):
        clinician.post(
            f"/assessments/{draft.pk}/edit/{step}/",
            {"revision": service.latest_revision(draft).number, "action": "mark", "mark": value},
        )
    result = service.completeness(Assessment.objects.get(pk=draft.pk))
    assert [s.state for s in result.sections] == [
        "no adversities known",
        "marked not known",
        "marked not known",
    ]
    assert not result.ok  # nothing rated in the functional review yet
    assert all(not r.ok for r in result.regions)


def test_return_with_comments_then_the_clinician_sees_them(world, as_role):
    supervisor = as_role(Role.SUPERVISOR)
    empty = supervisor.post(f"/assessments/{world.in_review.pk}/return/", {"comments": " "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    response = supervisor.post(
        f"/assessments/{world.in_review.pk}/return/", {"comments": "Please rate sleep again."}
    )
    assert response.status_code == 302
    world.in_review.refresh_from_db()
    assert world.in_review.status == "draft"
    round_ = world.in_review.review_rounds.get()
    assert (round_.outcome, round_.reviewed_by) == ("returned", world.user(Role.SUPERVISOR))
    assert AuditEvent.objects.filter(action="assessment.return").exists()
    page = as_role(Role.TRAINEE).get(f"/assessments/{world.in_review.pk}/edit/").content.decode()
    assert "Returned for changes by supervisor@alpha.example" in page
    assert "Please rate sleep again." in page


def test_sign_needs_the_confirmation(world, as_role):
    supervisor = as_role(Role.SUPERVISOR)
    response = supervisor.post(f"/assessments/{world.in_review.pk}/sign/", {})
    assert response.status_code == 400
    assert "Tick the box to confirm you have reviewed it." in response.content.decode()
    world.in_review.refresh_from_db()
    assert world.in_review.status == "in_review"


def test_the_review_page_shows_the_difference_from_the_signed_version(world, as_role):
    supervisor = as_role(Role.SUPERVISOR)
    supervisor.post(f"/assessments/{world.signed.pk}/amend/", {"reason": "wrong rating"})
    amendment = Assessment.objects.get(supersedes=world.signed)
    marks = service.latest_revision(amendment).marks
    assert marks == service.latest_revision(world.signed).marks and amendment.revisions.count() == 1
    supervisor.post(
        f"/assessments/{amendment.pk}/edit/functional/",
        {"revision": 1, "functional.impulse_control": "2"},
    )
    page = supervisor.get(f"/assessments/{amendment.pk}/edit/review/").content.decode()
    assert "Changed from the signed version 1" in page
    assert re.search(r"Impulse control</th><td>0 \(.*?\)</td><td><strong>2 \(", page)


def test_draft_revisions_never_change(world):
    revision = service.latest_revision(world.draft)
    revision.inputs = {}
    with pytest.raises(ImmutableRecordError):
        revision.save()
    with pytest.raises(ImmutableRecordError):
        revision.delete()


def test_the_worked_example_imports_for_a_synthetic_client_and_is_refused_for_a_real_one(
    world, clinician
):
    example = json.dumps(WORKED_EXAMPLE)
    real = clinician.post(f"/clients/{world.child1.pk}/assessments/import/", {"inputs": example})
    assert real.status_code == 400
    assert "this file is marked synthetic" in real.content.decode()
    world.child1.synthetic = True
    world.child1.birth_date = world.child1.birth_date.replace(year=2017)
    world.child1.save()
    response = clinician.post(
        f"/clients/{world.child1.pk}/assessments/import/", {"inputs": example}, follow=True
    )
    page = response.content.decode()
    assert "Imported as a draft" in page
    assert "The file&#x27;s birth date 2016-03-14 was replaced" in page
    imported = Assessment.objects.order_by("-pk").first()
    assert imported.inputs["client"] == {"pseudonym": "A-0001", "birth_date": "2017-03-14"}


def test_a_yaml_file_uploads_and_a_binary_file_is_refused(world, clinician):
    url = f"/clients/{world.child1.pk}/assessments/import/"
    text = yaml.safe_dump(example_inputs())
    upload = SimpleUploadedFile("child.yaml", text.encode(), content_type="application/x-yaml")
    response = clinician.post(url, {"file": upload})
    assert response.status_code == 302
    assert Assessment.objects.order_by("-pk").first().inputs["functional"]
    before = Assessment.objects.count()
    binary = SimpleUploadedFile("child.json", b"\xff\xfe\x00", content_type="application/json")
    refused = clinician.post(url, {"file": binary})
    assert refused.status_code == 400 and "Expected a UTF-8 text file" in refused.content.decode()
    assert Assessment.objects.count() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/assessments/{a}/edit/"),
        ("get", "/assessments/{a}/edit/history/"),
        ("post", "/assessments/{a}/edit/functional/"),
        ("post", "/assessments/{a}/edit/save/"),
        ("get", "/assessments/{a}/plan/"),
        ("get", "/assessments/{r}/sign/"),
        ("post", "/assessments/{r}/return/"),
        ("post", "/assessments/{s}/release/"),
        ("get", "/clients/{c}/progress/"),
        ("get", "/clients/{c}/assessments/import/"),
    ],
)
def test_another_organisations_records_answer_404_on_every_new_page(world, method, path):
    other = world.other_child
    draft = make_assessment(other, "draft")
    review = make_assessment(other, "in_review", assessment_date="2026-05-01")
    signed = make_assessment(other, "signed", assessment_date="2026-04-01")
    http = sign_in(HttpClient(), world.user(Role.SUPERVISOR))
    url = path.format(a=draft.pk, r=review.pk, s=signed.pk, c=other.pk)
    response = getattr(http, method)(url, {"comments": "x", "action": "release"})
    assert response.status_code == 404
    assert revisions(draft) == 1 and not signed.releases.exists()
    review.refresh_from_db()
    assert review.status == "in_review"
