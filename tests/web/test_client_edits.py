"""Client edits (issue 10, finding 5): no lost updates, and dates in a documented range.

The review lost an update when two people edited the same child at once, moved a birth
date from 2018 to 2026 after three signed assessments, and accepted 0001-01-01 and
1800-01-01 as birth dates. The documented range is 1990-01-01 to today (docs/security.md);
no signed assessment may fall before the birth date.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from neuroseq.web.models import Assessment, AuditEvent, Client, Role
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor

from .helpers import example_inputs


def form_data(world, **changes):
    client = Client.objects.get(pk=world.child1.pk)
    data = {
        "display_id": client.display_id,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "birth_date": client.birth_date.isoformat(),
        "care_team": client.care_team_id,
        "status": client.status,
        "placement": client.placement,
        "caregivers": client.caregivers,
        "version": client.version,
    }
    data.update(changes)
    return data


class TestLostUpdates:
    def test_the_second_save_gets_a_conflict_showing_both_values(self, world, as_role):
        url = f"/clients/{world.child1.pk}/edit/"
        opened = form_data(world)  # both open the form now, at the same version
        first = as_role(Role.SUPERVISOR)
        assert first.post(url, {**opened, "placement": "kinship care"}).status_code == 302
        second = as_role(Role.CLINICIAN)
        response = second.post(url, {**opened, "given_name": "Alicia", "placement": "foster care"})
        assert response.status_code == 409
        text = " ".join(response.content.decode().split())
        assert "changed by someone else" in text
        assert "kinship care" in text and "foster care" in text  # saved now / yours
        saved = Client.objects.get(pk=world.child1.pk)
        assert (saved.given_name, saved.placement) == ("Alice", "kinship care")
        # The form now carries the current version: saving again is a deliberate overwrite.
        assert int(response.context["form"]["version"].value()) == saved.version
        again = second.post(
            url, {**form_data(world), "given_name": "Alicia", "placement": "foster care"}
        )
        assert again.status_code == 302
        assert Client.objects.get(pk=world.child1.pk).placement == "foster care"

    def test_every_save_moves_the_version_on(self, world):
        actor = Actor(world.user(Role.SUPERVISOR), "supervisor@alpha.example")
        before = world.child1.version
        after = client_service.update_client(
            actor, world.child1, expected_version=before, placement="residential"
        )
        assert after.version == before + 1
        with pytest.raises(client_service.EditConflict) as conflict:
            client_service.update_client(
                actor, world.child1, expected_version=before, placement="kinship care"
            )
        assert conflict.value.differences == {"placement": ("residential", "kinship care")}

    def test_a_form_without_a_version_is_refused(self, world, as_role):
        data = form_data(world, given_name="Alicia")
        del data["version"]
        response = as_role(Role.SUPERVISOR).post(f"/clients/{world.child1.pk}/edit/", data)
        assert response.status_code == 400 and "version" in response.context["form"].errors
        assert Client.objects.get(pk=world.child1.pk).given_name == "Alice"


class TestBirthDates:
    @pytest.mark.parametrize("value", ["0001-01-01", "1800-01-01", "1989-12-31"])
    def test_too_early(self, world, as_role, value):
        response = as_role(Role.SUPERVISOR).post(
            f"/clients/{world.child1.pk}/edit/", form_data(world, birth_date=value)
        )
        assert response.status_code == 400
        assert "Expected a date on or after 1990-01-01." in response.content.decode()
        assert Client.objects.get(pk=world.child1.pk).birth_date == dt.date(2016, 3, 14)

    def test_in_the_future(self, world, as_role):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = as_role(Role.SUPERVISOR).post(
            f"/clients/{world.child1.pk}/edit/", form_data(world, birth_date=tomorrow.isoformat())
        )
        assert (
            response.status_code == 400
            and "Expected a date in the past." in response.content.decode()
        )

    def test_cannot_move_after_a_signed_assessment(self, world, as_role):
        response = as_role(Role.SUPERVISOR).post(
            f"/clients/{world.child1.pk}/edit/", form_data(world, birth_date="2026-04-01")
        )
        assert response.status_code == 400
        assert (
            "the signed assessment of 2026-03-16 is before this date" in response.content.decode()
        )
        assert Client.objects.get(pk=world.child1.pk).birth_date == dt.date(2016, 3, 14)
        assert not AuditEvent.objects.filter(action="client.update").exists()

    def test_may_move_within_the_range_the_signed_assessments_allow(self, world, as_role):
        response = as_role(Role.SUPERVISOR).post(
            f"/clients/{world.child1.pk}/edit/", form_data(world, birth_date="2016-04-01")
        )
        assert response.status_code == 302

    def test_a_new_client_too(self, world, as_role):
        data = {**form_data(world, birth_date="1800-01-01"), "display_id": "A-0999"}
        response = as_role(Role.SUPERVISOR).post("/clients/new/", data)
        assert (
            response.status_code == 400 and not Client.objects.filter(display_id="A-0999").exists()
        )


class TestAssessmentDates:
    def post(self, http, world, **changes):
        inputs = json.dumps(example_inputs(**changes))
        return http.post(f"/clients/{world.child1.pk}/assessments/import/", {"inputs": inputs})

    def test_not_in_the_future(self, world, as_role):
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        before = Assessment.objects.count()
        response = self.post(as_role(Role.CLINICIAN), world, assessment_date=tomorrow)
        assert response.status_code == 400
        assert f"assessment_date: expected a date not after today ({timezone.localdate()})" in (
            response.content.decode()
        )
        assert Assessment.objects.count() == before

    def test_not_before_the_birth_date(self, world, as_role):
        response = self.post(as_role(Role.CLINICIAN), world, assessment_date="2015-01-01")
        assert response.status_code == 400
        assert (
            "client.birth_date: expected a date before assessment_date" in response.content.decode()
        )
