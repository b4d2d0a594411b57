"""Client list (search, filters, pagination, constant queries), client and assessment pages."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from neuroseq.web.models import Assessment, Client, ClientStatus, Role

from .factories import ClientFactory
from .helpers import example_inputs, make_assessment


def listing(http, query=""):
    response = http.get(f"/clients/{query}")
    assert response.status_code == 200
    return [c.display_id for c in response.context["rows"]]


def test_search_by_name_or_id_and_filter_by_team_and_status(world, as_role):
    http = as_role(Role.ORG_ADMIN)
    ClientFactory(
        care_team=world.team2, display_id="A-0003", given_name="Cleo", status="discharged"
    )
    assert listing(http) == ["A-0001", "A-0002", "A-0003"]
    assert listing(http, "?q=alice") == ["A-0001"]
    assert listing(http, "?q=quillfeath") == ["A-0001"]
    assert listing(http, "?q=0002") == ["A-0002"]
    assert listing(http, f"?team={world.team2.pk}") == ["A-0002", "A-0003"]
    assert listing(http, f"?team={world.team2.pk}&status=discharged") == ["A-0003"]


def test_filter_on_a_team_of_another_organisation_is_an_error_not_a_leak(world, as_role):
    http = as_role(Role.SUPERVISOR)
    other_team = world.other_child.care_team
    response = http.get(f"/clients/?team={other_team.pk}")
    assert "Select a valid choice" in response.content.decode()
    assert "B-0001" not in response.content.decode()


def test_pagination(world, as_role, settings):
    settings.NEUROSEQ_PAGE_SIZE = 2
    for n in range(3, 6):
        ClientFactory(care_team=world.team1, display_id=f"A-{n:04d}")
    http = as_role(Role.SUPERVISOR)
    assert listing(http, "?page=1") == ["A-0001", "A-0003"]
    assert listing(http, "?page=2") == ["A-0004", "A-0005"]
    assert listing(http, "?page=99") == ["A-0004", "A-0005"]  # past the end: last page
    page = http.get("/clients/?q=A-&page=1").content.decode()
    assert "q=A-&amp;page=2" in page


def _count_queries(http, url):
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_client_list_query_count_does_not_grow_with_the_clinic(
    world, as_role, django_assert_num_queries
):
    http = as_role(Role.ORG_ADMIN)
    plain = "/clients/"
    filtered = f"/clients/?q=0&team={world.team1.pk}&status=active&page=2"
    small = {url: _count_queries(http, url) for url in (plain, filtered)}
    for n in range(60):
        team = world.team1 if n % 2 else world.team2
        client = ClientFactory(care_team=team, display_id=f"Z-{n:04d}")
        for day in range(1 + n % 3):
            make_assessment(client, "draft", assessment_date=f"2026-01-0{day + 1}")
    assert Client.objects.count() > 60 and Assessment.objects.count() > 120
    for url, count in small.items():
        with django_assert_num_queries(count):
            http.get(url)


def test_client_page_shows_summary_map_and_assessments(world, as_role):
    page = as_role(Role.CLINICIAN).get(f"/clients/{world.child1.pk}/").content.decode()
    assert "A-0001: Alice Quillfeather" in page
    assert 'role="img"' in page  # the SVG brain map of the latest signed assessment
    assert "beside a typical child of the same age" in page
    for a in (world.signed, world.draft, world.in_review):
        assert f"/assessments/{a.pk}/" in page


def test_assessment_page_shows_scores_explanations_age_equivalents_and_plan(world, as_role):
    page = as_role(Role.SUPERVISOR).get(f"/assessments/{world.signed.pk}/").content.decode()
    assert "Developmental Challenges Score" in page
    assert "Explain Functional Score" in page and "sum of weight x status" in page
    assert "Age equivalents" in page
    assert "Not rated (excluded from the scores, never counted as zero)" in page
    plan = page.split('<h2 id="plan-title">Sequential plan</h2>')[1].split("<h2")[0]
    assert "placeholder" not in plan and "Phase 1: " in plan
    assert 'role="img"' in page
    assert "Start an amendment" in page and "/sign/" not in page


def test_lifecycle_buttons_follow_role_and_status(world, as_role):
    trainee = as_role(Role.TRAINEE)
    draft = trainee.get(f"/assessments/{world.draft.pk}/").content.decode()
    assert "Check and send for review" in draft and f"/assessments/{world.draft.pk}/edit/" in draft
    in_review = trainee.get(f"/assessments/{world.in_review.pk}/").content.decode()
    assert "/sign/" not in in_review and "send for review" not in in_review
    supervisor = as_role(Role.SUPERVISOR)
    assert "/sign/" in supervisor.get(f"/assessments/{world.in_review.pk}/").content.decode()


def test_synthetic_records_are_labelled(world, as_role):
    Client.objects.filter(pk=world.child2.pk).update(synthetic=True)
    synthetic = make_assessment(Client.objects.get(pk=world.child2.pk), "draft")
    assert synthetic.synthetic and synthetic.inputs["synthetic"] is True
    http = as_role(Role.ORG_ADMIN)
    for url in ["/clients/", f"/clients/{world.child2.pk}/", f"/assessments/{synthetic.pk}/"]:
        assert '<span class="badge synthetic">synthetic</span>' in http.get(url).content.decode()


class TestForms:
    def test_new_client(self, world, as_role):
        http = as_role(Role.CLINICIAN)
        data = {
            "display_id": "A-0100",
            "given_name": "Ivy",
            "family_name": "Stone",
            "birth_date": "2018-02-03",
            "care_team": world.team1.pk,
            "status": "active",
        }
        response = http.post("/clients/new/", data)
        client = Client.objects.get(display_id="A-0100")
        assert response.url == f"/clients/{client.pk}/"
        assert client.organisation == world.team1.organisation

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("birth_date", "2030-01-01", "Expected a date in the past."),
            ("birth_date", "03/02/2018x", "Enter a valid date."),
            ("display_id", "A-0001", "&#x27;A-0001&#x27; is already used in this organisation"),
            ("given_name", "", "This field is required."),
            ("status", "lost", "Select a valid choice."),
            ("care_team", "999999", "Select a valid choice."),
        ],
    )
    def test_bad_client_input_names_the_field_and_saves_nothing(
        self, world, as_role, field, value, message
    ):
        http = as_role(Role.CLINICIAN)
        data = {
            "display_id": "A-0100",
            "given_name": "Ivy",
            "family_name": "Stone",
            "birth_date": "2018-02-03",
            "care_team": world.team1.pk,
            "status": "active",
            field: value,
        }
        before = Client.objects.count()
        response = http.post("/clients/new/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert field in response.context["form"].errors
        assert Client.objects.count() == before

    def test_care_team_of_another_clinician_is_not_offered(self, world, as_role):
        http = as_role(Role.CLINICIAN)
        response = http.post(
            "/clients/new/",
            {
                "display_id": "A-0101",
                "given_name": "Ivy",
                "family_name": "Stone",
                "birth_date": "2018-02-03",
                "care_team": world.team2.pk,
                "status": "active",
            },
        )
        assert response.status_code == 400 and "care_team" in response.context["form"].errors

    def test_edit_client(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        response = http.post(
            f"/clients/{world.child1.pk}/edit/",
            {
                "display_id": "IGNORED",
                "given_name": "Alice",
                "family_name": "Quillfeather",
                "birth_date": "2016-03-14",
                "care_team": world.team1.pk,
                "status": ClientStatus.WAITING,
                "placement": "kinship care",
                "version": world.child1.version,
            },
        )
        assert response.status_code == 302
        world.child1.refresh_from_db()
        assert (world.child1.status, world.child1.placement) == ("waiting", "kinship care")
        assert world.child1.display_id == "A-0001"

    def test_new_assessment_from_json(self, world, as_role):
        http = as_role(Role.TRAINEE)
        response = http.post(
            f"/clients/{world.child1.pk}/assessments/import/",
            {"inputs": json.dumps(example_inputs())},
        )
        assessment = Assessment.objects.order_by("-pk").first()
        assert response.url == f"/assessments/{assessment.pk}/edit/"
        assert assessment.status == "draft" and assessment.created_by == world.user(Role.TRAINEE)

    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ("{not json", "Not valid JSON: line 1 column 2"),
            ("[1, 2]", "Expected an object"),
            (
                json.dumps(example_inputs(functional={"attunement": 9})),
                "functional.attunement: expected 0-3 or null, got 9",
            ),
            (
                json.dumps(
                    example_inputs(
                        adversities=[{"type": "neglect", "period": "y40", "severity": 2}]
                    )
                ),
                "adversities[0].period: unknown period",
            ),
        ],
    )
    def test_bad_assessment_input_is_explained_and_saves_nothing(
        self, world, as_role, raw, message
    ):
        http = as_role(Role.CLINICIAN)
        before = Assessment.objects.count()
        response = http.post(f"/clients/{world.child1.pk}/assessments/import/", {"inputs": raw})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert Assessment.objects.count() == before

    def test_amend_without_reason_is_refused_with_a_message(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        before = Assessment.objects.count()
        response = http.post(f"/assessments/{world.signed.pk}/amend/", {"reason": ""}, follow=True)
        assert "reason: say what is being corrected and why." in response.content.decode()
        assert Assessment.objects.count() == before

    def test_signing_twice_explains_why_not(self, world, as_role):
        http = as_role(Role.SUPERVISOR)
        http.post(f"/assessments/{world.in_review.pk}/sign/", {"confirm": "on"})
        response = http.post(
            f"/assessments/{world.in_review.pk}/sign/", {"confirm": "on"}, follow=True
        )
        assert "Only an assessment waiting for review can be signed." in response.content.decode()

    def test_add_member(self, world, as_role):
        http = as_role(Role.ORG_ADMIN)
        response = http.post(
            "/members/",
            {
                "email": "New.Person@Alpha.example",
                "full_name": "New Person",
                "role": "trainee",
            },
        )
        assert response.status_code == 302
        from neuroseq.web.models import Membership

        member = Membership.objects.get(user__email="new.person@alpha.example")
        assert member.organisation == world.team1.organisation and member.role == "trainee"

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("email", "viewer@alpha.example", "an account with this email already exists"),
            ("email", "not-an-email", "Enter a valid email address."),
            ("role", "god", "Select a valid choice."),
        ],
    )
    def test_bad_member_input(self, world, as_role, field, value, message):
        http = as_role(Role.ORG_ADMIN)
        data = {
            "email": "x@alpha.example",
            "full_name": "X",
            "role": "trainee",
            field: value,
        }
        response = http.post("/members/", data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert field in response.context["form"].errors


def test_client_page_shows_what_changed_between_signed_assessments(world, as_role):
    later = make_assessment(world.child1, "signed", assessment_date="2026-09-16")
    page = as_role(Role.CLINICIAN).get(f"/clients/{world.child1.pk}/").content.decode()
    assert f"/assessments/{later.pk}/" in page
    assert "What changed since 2026-03-16" in page
    change = page.split("What changed since")[1]
    assert 'role="img"' in change.split("<h2>")[0]


def test_assessment_page_draws_map_comparison_and_age_chart(world, as_role):
    page = as_role(Role.SUPERVISOR).get(f"/assessments/{world.signed.pk}/").content.decode()
    assert page.count("<svg") >= 3
    assert "placeholder" not in page


@pytest.mark.parametrize("query", ["?q=%00", "?q=a%00b&status=%00", "?team=abc", "?page=-1"])
def test_hostile_list_queries_get_a_page_not_a_500(world, as_role, query):
    response = as_role(Role.SUPERVISOR).get(f"/clients/{query}")
    assert response.status_code == 200
