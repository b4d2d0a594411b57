"""Scoping: another organisation's or team's records answer 404, whatever the id."""

from __future__ import annotations

import pytest

from neuroseq.web.models import Membership, Role
from neuroseq.web.permissions import visible_assessments, visible_clients

from .helpers import make_assessment, sign_in


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{other_child}/",
        "/clients/{other_child}/family/",
        "/clients/{other_child}/edit/",
        "/clients/{other_child}/assessments/new/",
        "/assessments/{other_assessment}/",
        "/api/clients/{other_child}",
        "/api/assessments/{other_assessment}",
    ],
)
def test_other_organisation_answers_404(world, http, path):
    other_assessment = make_assessment(world.other_child, "draft")
    sign_in(http, world.user(Role.SUPERVISOR))
    url = path.format(other_child=world.other_child.pk, other_assessment=other_assessment.pk)
    assert http.get(url).status_code == 404


@pytest.mark.parametrize("verb", ["submit", "sign", "amend"])
def test_other_organisation_cannot_act_on_an_assessment(world, http, verb):
    sign_in(http, world.other.user)
    target = {"submit": world.draft, "sign": world.in_review, "amend": world.signed}[verb]
    response = http.post(f"/assessments/{target.pk}/{verb}/", {"reason": "x"})
    assert response.status_code == 404
    before = target.status
    target.refresh_from_db()
    assert target.status == before


def test_clinicians_see_only_their_care_teams(world, http):
    sign_in(http, world.team2_clinician.user)
    assert http.get(f"/clients/{world.child1.pk}/").status_code == 404
    assert http.get(f"/clients/{world.child2.pk}/").status_code == 200
    listing = http.get("/clients/").content.decode()
    assert "A-0002" in listing and "A-0001" not in listing


def test_viewer_sees_only_linked_children(world, http):
    viewer = world.user(Role.VIEWER)
    assert list(visible_clients(viewer)) == [world.child1]
    assert not visible_assessments(viewer).exists()
    sign_in(http, viewer)
    assert http.get(f"/clients/{world.child2.pk}/family/").status_code == 404
    children = http.get("/children/").content.decode()
    assert "Alice" in children and "Bob" not in children


def test_admin_sees_the_whole_organisation_and_nothing_else(world):
    admin = world.user(Role.ORG_ADMIN)
    assert set(visible_clients(admin)) == {world.child1, world.child2}


def test_inactive_membership_sees_nothing(world, http):
    Membership.objects.filter(pk=world.members[Role.CLINICIAN].pk).update(is_active=False)
    clinician = world.user(Role.CLINICIAN)
    clinician.refresh_from_db()
    assert not visible_clients(clinician).exists()
    sign_in(http, clinician)
    assert http.get("/clients/").status_code == 403


def test_home_sends_each_role_to_its_start_page(world, http):
    sign_in(http, world.user(Role.VIEWER))
    assert http.get("/").url == "/children/"
    sign_in(http, world.user(Role.CLINICIAN))
    assert http.get("/").url == "/clients/"


@pytest.mark.parametrize(
    "path",
    [
        "/clients/99999999999999999999999/",
        "/assessments/99999999999999999999999/",
        "/clients/99999999999999999999999/family/",
        "/api/clients/99999999999999999999999",
        "/clients/?page=99999999999999999999999",
        "/audit/?page=99999999999999999999999",
    ],
)
def test_out_of_range_ids_are_not_found_not_errors(world, as_role, path):
    response = as_role(Role.ORG_ADMIN).get(path)
    assert response.status_code in {200, 404, 422}
