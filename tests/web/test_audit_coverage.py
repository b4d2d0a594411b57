"""Audit coverage (issue 10, finding 7): reads of every page with identifying data, denied
attempts (who, which id, which route), API list reads with the ids returned, search text
never stored in clear, and unlinking a caregiver or removing a team member, audited."""

from __future__ import annotations

import json

import pytest

from neuroseq.web.models import AuditEvent, Role
from neuroseq.web.services.clients import search_digest

from .factories import MembershipFactory
from .helpers import make_assessment, sign_in


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


@pytest.mark.parametrize(
    ("path", "page_name"),
    [("/clients/{pk}/edit/", "edit"), ("/clients/{pk}/assessments/new/", "assessment_new")],
)
def test_form_pages_showing_a_child_are_audited_reads(world, as_role, path, page_name):
    http = as_role(Role.SUPERVISOR)
    assert http.get(path.format(pk=world.child1.pk)).status_code == 200
    event = last("client.read")
    assert event is not None and event.client == world.child1
    assert event.details["page"] == page_name and event.actor == world.user(Role.SUPERVISOR)


class TestDeniedAttempts:
    def test_probing_another_organisation_s_id_leaves_a_trace(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        assert (
            http.get(f"/clients/{world.other_child.pk}/", REMOTE_ADDR="10.2.3.4").status_code == 404
        )
        event = last("access.denied")
        assert event.actor == world.user(Role.SUPERVISOR) and event.ip_address == "10.2.3.4"
        assert event.details["route"] == "client_detail" and event.details["status"] == 404
        assert event.object_id == str(world.other_child.pk)
        assert event.client is None  # nothing of the other organisation is linked or shown
        assert event.organisation == world.team1.organisation

    def test_a_forbidden_action_leaves_a_trace(self, world, as_role):
        http = as_role(Role.VIEWER)
        assert http.get("/clients/").status_code == 403
        event = last("access.denied")
        assert event.details["route"] == "client_list" and event.details["status"] == 403
        assert event.details["action"] == "client.list"

    def test_another_team_s_assessment_leaves_a_trace(self, world, http):
        other = make_assessment(world.child2, "draft")
        sign_in(http, world.user(Role.TRAINEE))
        assert http.post(f"/assessments/{other.pk}/submit/").status_code == 404
        event = last("access.denied")
        assert event.details["route"] == "assessment_submit" and event.object_id == str(other.pk)
        assert event.details["method"] == "POST"

    @pytest.mark.parametrize(
        ("role", "path", "status"),
        [
            (Role.SUPERVISOR, "/api/clients/{other}", 404),
            (Role.SUPERVISOR, "/api/assessments/{other_assessment}", 404),
            (Role.VIEWER, "/api/clients", 403),
        ],
    )
    def test_api_denials_leave_a_trace(self, world, as_role, role, path, status):
        other_assessment = make_assessment(world.other_child, "draft")
        http = as_role(role)
        url = path.format(other=world.other_child.pk, other_assessment=other_assessment.pk)
        assert http.get(url).status_code == status
        event = last("access.denied")
        assert event.details["status"] == status and event.details["path"] == url
        assert event.actor == world.user(role)


def test_api_list_reads_record_the_ids_returned(world, as_role):
    http = as_role(Role.ORG_ADMIN)
    data = http.get("/api/clients?limit=1&offset=1").json()
    event = last("client.search")
    assert event.details["client_ids"] == [item["id"] for item in data["items"]]
    assert len(event.details["client_ids"]) == 1


class TestSearchText:
    def test_names_searched_for_are_not_stored_in_clear(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        http.get("/clients/?q=Quillfeather&status=active")
        event = last("client.search")
        stored = json.dumps(event.details)
        assert "quillfeather" not in stored.lower()
        assert event.details["filters"]["status"] == "active"
        # An investigator holding the key can still check "was this name searched for?"
        assert event.details["filters"]["q"]["hmac"] == search_digest(" QUILLFEATHER ")
        assert event.details["client_ids"] == [world.child1.pk]

    def test_unknown_query_parameters_are_not_stored(self, world, as_role):
        as_role(Role.SUPERVISOR).get("/api/clients?name=Alice+Quillfeather")
        stored = json.dumps(last("client.search").details)
        assert "Alice" not in stored and "name" not in stored


class TestUnlinkViewer:
    def test_unlink_a_caregiver(self, world, as_role):
        viewer = world.members[Role.VIEWER]
        http = as_role(Role.SUPERVISOR)
        page = http.get(f"/clients/{world.child1.pk}/").content.decode()
        assert f"/clients/{world.child1.pk}/viewers/{viewer.pk}/remove/" in page
        response = http.post(f"/clients/{world.child1.pk}/viewers/{viewer.pk}/remove/")
        assert response.status_code == 302
        assert not world.child1.viewers.filter(pk=viewer.pk).exists()
        event = last("client.unlink_viewer")
        assert event.client == world.child1 and event.details == {"viewer": viewer.user.email}
        sign_in(http, viewer.user)
        assert http.get(f"/clients/{world.child1.pk}/family/").status_code == 404

    def test_only_roles_that_link_may_unlink(self, world, as_role):
        viewer = world.members[Role.VIEWER]
        http = as_role(Role.CLINICIAN)
        assert (
            http.post(f"/clients/{world.child1.pk}/viewers/{viewer.pk}/remove/").status_code == 403
        )
        assert world.child1.viewers.filter(pk=viewer.pk).exists()

    def test_someone_not_linked_is_a_clear_message(self, world, as_role):
        teacher = MembershipFactory(organisation=world.team1.organisation, role=Role.VIEWER)
        http = as_role(Role.SUPERVISOR)
        page = http.post(
            f"/clients/{world.child1.pk}/viewers/{teacher.pk}/remove/", follow=True
        ).content.decode()
        assert "viewer: not linked to this child" in page

    def test_another_organisation_s_child_is_404(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        url = f"/clients/{world.other_child.pk}/viewers/{world.members[Role.VIEWER].pk}/remove/"
        assert http.post(url).status_code == 404


class TestRemoveTeamMember:
    def test_remove_a_clinician_from_a_care_team(self, world, as_role):
        clinician = world.members[Role.CLINICIAN]
        admin = as_role(Role.ORG_ADMIN)
        page = admin.get("/members/").content.decode()
        url = f"/teams/{world.team1.pk}/members/{clinician.pk}/remove/"
        assert url in page
        assert admin.post(url).status_code == 302
        assert not world.team1.members.filter(pk=clinician.pk).exists()
        event = last("team.remove_member")
        assert event.details == {"email": clinician.user.email, "team": "Team one"}
        sign_in(admin, clinician.user)
        assert admin.get(f"/clients/{world.child1.pk}/").status_code == 404

    def test_only_admins_and_only_their_organisation(self, world, as_role):
        clinician = world.members[Role.CLINICIAN]
        url = f"/teams/{world.team1.pk}/members/{clinician.pk}/remove/"
        assert as_role(Role.SUPERVISOR).post(url).status_code == 403
        other_team = world.other_child.care_team
        admin = as_role(Role.ORG_ADMIN)
        assert (
            admin.post(f"/teams/{other_team.pk}/members/{world.other.pk}/remove/").status_code
            == 404
        )
        assert other_team.members.filter(pk=world.other.pk).exists()
        assert world.team1.members.filter(pk=clinician.pk).exists()
