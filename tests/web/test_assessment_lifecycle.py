"""Lifecycle: draft -> in_review -> signed; signed never changes; amendments are versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from neuroseq.web.models import Assessment, AssessmentStatus, ImmutableRecordError
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from .helpers import example_inputs


def actor(world, role):
    return Actor(user=world.user(role), label=world.user(role).email, ip="127.0.0.1")


def test_draft_stores_inputs_scores_and_instrument_version(world):
    a = service.create_draft(actor(world, "clinician"), world.child1, example_inputs())
    assert a.status == AssessmentStatus.DRAFT
    assert a.version == 1 and a.supersedes is None
    assert a.instrument_version == "2"  # the default for new assessments
    assert a.inputs["client"] == {"pseudonym": "A-0001", "birth_date": "2016-03-14"}
    assert a.inputs["functional"]["impulse_control"] == 0
    assert a.scores["relational_gate"] == "marginal"
    assert 0 <= a.scores["functional_score"] <= 100
    assert a.scores["missing_items"] == ["self_reflection"]


def test_full_lifecycle_records_who_signed(world):
    a = service.create_draft(actor(world, "trainee"), world.child1, example_inputs())
    a = service.submit(actor(world, "trainee"), a)
    assert a.status == AssessmentStatus.IN_REVIEW and a.submitted_at is not None
    a = service.sign(actor(world, "supervisor"), a)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.SIGNED
    assert a.signed_by == world.user("supervisor") and a.signed_at is not None


def test_signing_a_draft_is_refused_with_a_clear_error(world):
    with pytest.raises(ValidationError) as err:
        service.sign(actor(world, "supervisor"), world.draft)
    assert "in review" in err.value.message_dict["status"][0]
    world.draft.refresh_from_db()
    assert world.draft.status == AssessmentStatus.DRAFT


@pytest.mark.parametrize("change", ["update_draft", "submit", "sign"])
def test_services_refuse_to_change_a_signed_assessment(world, change):
    before = Assessment.objects.get(pk=world.signed.pk)
    with pytest.raises(ImmutableRecordError):
        if change == "update_draft":
            service.update_draft(actor(world, "supervisor"), world.signed, example_inputs())
        else:
            getattr(service, change)(actor(world, "supervisor"), world.signed)
    after = Assessment.objects.get(pk=world.signed.pk)
    assert (after.status, after.inputs, after.scores) == (
        before.status,
        before.inputs,
        before.scores,
    )


def test_model_save_update_and_delete_refuse_a_signed_assessment(world):
    signed = Assessment.objects.get(pk=world.signed.pk)
    signed.amendment_reason = "sneaky edit"
    with pytest.raises(ImmutableRecordError):
        signed.save()
    with pytest.raises(ImmutableRecordError):
        Assessment.objects.filter(pk=signed.pk).update(amendment_reason="sneaky")
    with pytest.raises(ImmutableRecordError):
        signed.delete()
    with pytest.raises(ImmutableRecordError):
        Assessment.objects.filter(client=world.child1).delete()
    assert Assessment.objects.get(pk=signed.pk).amendment_reason == ""


def test_database_refuses_raw_update_of_a_signed_assessment(world):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clinic_assessment SET amendment_reason = 'raw' WHERE id = %s",
            [world.signed.pk],
        )
    assert Assessment.objects.get(pk=world.signed.pk).amendment_reason == ""


def test_drafts_can_still_change(world):
    updated = service.update_draft(
        actor(world, "clinician"), world.draft, example_inputs(assessment_date="2026-06-02")
    )
    assert str(updated.assessment_date) == "2026-06-02"


def test_amendment_is_a_new_linked_version_and_the_original_stays(world):
    original = Assessment.objects.get(pk=world.signed.pk)
    amendment = service.amend(actor(world, "clinician"), original, "rating entered in error")
    assert amendment.pk != original.pk
    assert amendment.supersedes_id == original.pk
    assert amendment.lineage == original.lineage and amendment.version == 2
    assert amendment.status == AssessmentStatus.DRAFT
    assert amendment.inputs == original.inputs
    fixed = example_inputs(functional={**original.inputs["functional"], "impulse_control": 1})
    amendment = service.update_draft(actor(world, "clinician"), amendment, fixed)
    amendment = service.sign(
        actor(world, "supervisor"), service.submit(actor(world, "clinician"), amendment)
    )
    assert amendment.status == AssessmentStatus.SIGNED
    unchanged = Assessment.objects.get(pk=original.pk)
    assert unchanged.inputs == original.inputs and unchanged.status == AssessmentStatus.SIGNED
    assert unchanged.superseded_by == amendment


def test_only_one_amendment_per_version_and_a_reason_is_required(world):
    with pytest.raises(ValidationError) as err:
        service.amend(actor(world, "clinician"), world.signed, "  ")
    assert "reason" in err.value.message_dict
    service.amend(actor(world, "clinician"), world.signed, "first correction")
    with pytest.raises(ValidationError) as err:
        service.amend(actor(world, "clinician"), world.signed, "second correction")
    assert "already has an amendment" in err.value.message_dict["status"][0]


def test_drafts_cannot_be_amended(world):
    with pytest.raises(ValidationError) as err:
        service.amend(actor(world, "clinician"), world.draft, "why not")
    assert "only a signed assessment" in err.value.message_dict["status"][0]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"functional": {"no_such_function": 2}},
            "functional.no_such_function: unknown function id",
        ),
        ({"functional": {"attunement": 7}}, "functional.attunement: expected 0-3 or null, got 7"),
        ({"client": {"birth_date": "2015-01-01"}}, "client.birth_date: expected 2016-03-14"),
        ({"assessment_date": "not a date"}, "assessment_date:"),
        ({"synthetic": True}, "synthetic: a real client's assessment cannot be synthetic"),
        ({"rater": "a\x00b"}, "text must not contain NUL"),
    ],
)
def test_bad_inputs_name_the_field_and_change_nothing(world, changes, expected):
    count = Assessment.objects.count()
    with pytest.raises(ValidationError) as err:
        service.create_draft(actor(world, "clinician"), world.child1, example_inputs(**changes))
    messages = err.value.message_dict["inputs"]
    assert any(m.startswith(expected) for m in messages), messages
    assert Assessment.objects.count() == count
