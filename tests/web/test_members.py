"""Members and care teams (organisation admins), and linking caregivers to a child."""

from __future__ import annotations

import pytest

from neuroseq.web.models import AuditEvent, CareTeam, Membership, Role

from .factories import MembershipFactory


@pytest.fixture
def admin(world, as_role):
    return as_role(Role.ORG_ADMIN)


def test_change_role_is_audited(world, admin):
    trainee = world.members[Role.TRAINEE]
    response = admin.post(f"/members/{trainee.pk}/role/", {"role": Role.CLINICIAN})
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.role == Role.CLINICIAN
    event = AuditEvent.objects.filter(action="membership.role").get()
    assert event.details == {"email": "trainee@alpha.example", "from": "trainee", "to": "clinician"}


def test_bad_role_changes_nothing(world, admin):
    trainee = world.members[Role.TRAINEE]
    response = admin.post(f"/members/{trainee.pk}/role/", {"role": "owner"}, follow=True)
    assert "role: choose one of the listed roles." in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.role == Role.TRAINEE


def test_admins_cannot_demote_or_deactivate_themselves(world, admin):
    me = world.members[Role.ORG_ADMIN]
    page = admin.post(f"/members/{me.pk}/active/", follow=True).content.decode()
    assert "is_active: you cannot deactivate yourself" in page
    admin.post(f"/members/{me.pk}/role/", {"role": Role.VIEWER})
    me.refresh_from_db()
    assert me.is_active and me.role == Role.ORG_ADMIN


def test_deactivate_and_reactivate(world, admin):
    clinician = world.members[Role.CLINICIAN]
    admin.post(f"/members/{clinician.pk}/active/")
    clinician.refresh_from_db()
    assert not clinician.is_active
    admin.post(f"/members/{clinician.pk}/active/")
    clinician.refresh_from_db()
    assert clinician.is_active


def test_members_of_another_organisation_answer_404(world, admin):
    assert admin.post(f"/members/{world.other.pk}/active/").status_code == 404
    world.other.refresh_from_db()
    assert world.other.is_active


def test_teams(world, admin):
    assert admin.post("/teams/new/", {"name": "Adolescent team"}).status_code == 302
    team = CareTeam.objects.get(name="Adolescent team")
    assert team.organisation == world.team1.organisation
    trainee = world.members[Role.TRAINEE]
    assert admin.post("/teams/members/", {"team": team.pk, "member": trainee.pk}).status_code == 302
    assert team.members.filter(pk=trainee.pk).exists()
    duplicate = admin.post("/teams/new/", {"name": "Adolescent team"})
    assert duplicate.status_code == 400
    assert "a team called &#x27;Adolescent team&#x27; already exists" in duplicate.content.decode()


def test_viewers_and_other_organisations_cannot_join_teams(world, admin):
    viewer = world.members[Role.VIEWER]
    for member in (viewer, world.other):
        response = admin.post("/teams/members/", {"team": world.team1.pk, "member": member.pk})
        assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not world.team1.members.filter(pk__in=[viewer.pk, world.other.pk]).exists()


def test_link_a_caregiver_to_a_child(world, as_role):
    teacher = MembershipFactory(
        organisation=world.team1.organisation, role=Role.VIEWER, user__email="teacher@alpha.example"
    )
    supervisor = as_role(Role.SUPERVISOR)
    page = supervisor.get(f"/clients/{world.child1.pk}/").content.decode()
    assert "teacher@alpha.example" in page  # offered in the form
    response = supervisor.post(f"/clients/{world.child1.pk}/viewers/", {"viewer": teacher.pk})
    assert response.status_code == 302
    assert world.child1.viewers.filter(pk=teacher.pk).exists()
    assert AuditEvent.objects.filter(action="client.link_viewer", client=world.child1).exists()


def test_only_viewers_of_the_organisation_can_be_linked(world, as_role):
    supervisor = as_role(Role.SUPERVISOR)
    clinician = world.members[Role.CLINICIAN]
    response = supervisor.post(
        f"/clients/{world.child1.pk}/viewers/", {"viewer": clinician.pk}, follow=True
    )
    assert "viewer: choose a caregiver or teacher from the list." in response.content.decode()
    assert not world.child1.viewers.filter(pk=clinician.pk).exists()


def test_new_member_signs_in_only_after_choosing_a_password_through_the_link(world, admin):
    """(The old version of this test signed in on the admin's own client, so it passed
    whatever the password: ``redirect_authenticated_user`` answered 302.)"""
    import re

    from django.core import mail
    from django.test import Client as HttpClient

    admin.post(
        "/members/", {"email": "late@alpha.example", "full_name": "Late Joiner", "role": "viewer"}
    )
    assert Membership.objects.filter(user__email="late@alpha.example").exists()
    fresh = HttpClient()
    refused = fresh.post(
        "/accounts/login/", {"username": "late@alpha.example", "password": "a guessed passphrase"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in fresh.session
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    fresh.get(link)
    password = {
        "new_password1": "another long passphrase",
        "new_password2": "another long passphrase",
    }
    fresh.post("/accounts/activate/", password)
    fresh.post("/accounts/logout/")
    response = fresh.post(
        "/accounts/login/",
        {"username": "late@alpha.example", "password": "another long passphrase"},
    )
    assert response.status_code == 302 and "_auth_user_id" in fresh.session


def test_health_endpoint(http, db):
    response = http.get("/health/")
    assert response.status_code == 200 and response.content == b"ok"
