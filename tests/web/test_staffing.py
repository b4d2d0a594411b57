"""Blind multi-rater staffing through the real pages and services (issue 11, parts 2 and 5).

Blindness is tested by what a page *depends on*: a rater's pages (and the lead's) are
rendered, another rater's values are changed, and the pages are rendered again; before
rating is over they must be byte-for-byte the same (CSRF tokens aside). Statistics shown
are compared with ``neuroseq.reliability`` computed here from the same matrix.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from neuroseq.instrument import load_instrument
from neuroseq.reliability import cohen_kappa, icc
from neuroseq.web.models import AuditEvent, Role, Staffing, StaffingStatus
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services import staffing as service
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.certification import demo_certificate

from .factories import MembershipFactory
from .helpers import api_token, bearer, sign_in

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|\d{4}-\d\d-\d\d \d\d:\d\d')


def me(user):
    return Actor(user, user.email)


def http_for(user) -> HttpClient:
    return sign_in(HttpClient(), user)


def items(assessment) -> list[str]:
    return list(load_instrument(assessment.instrument_version).function_ids)


@pytest.fixture
def team(world):
    """A staffing of the draft led by the supervisor; the clinician and a trainee rate,
    and a clinician of the other care team (invited from elsewhere in the organisation)."""
    lead = world.user(Role.SUPERVISOR)
    staffing = service.open_staffing(me(lead), world.draft)
    raters = [world.user(Role.CLINICIAN), world.user(Role.TRAINEE), world.team2_clinician.user]
    for user in raters:
        service.invite(me(lead), staffing, user)
    return staffing, lead, raters


def rate_all(staffing, user, values):
    service.save_ratings(
        me(user), staffing, dict(zip(items(staffing.assessment), values, strict=True))
    )


def test_open_needs_a_supervisor_and_a_draft(world):
    with pytest.raises(ValidationError, match="draft"):
        service.open_staffing(me(world.user(Role.SUPERVISOR)), world.in_review)
    response = http_for(world.user(Role.CLINICIAN)).post(
        f"/assessments/{world.draft.pk}/staffing/open/"
    )
    assert response.status_code == 403
    assert not Staffing.objects.exists()
    lead = http_for(world.user(Role.SUPERVISOR))
    assert lead.post(f"/assessments/{world.draft.pk}/staffing/open/").status_code == 302
    staffing = Staffing.objects.get(assessment=world.draft)
    assert staffing.lead == world.user(Role.SUPERVISOR)
    assert AuditEvent.objects.filter(action="staffing.open", object_id=str(staffing.pk)).exists()


def test_invite_only_members_of_the_organisation_who_may_rate(world, team):
    staffing, lead, _ = team
    with pytest.raises(ValidationError, match="organisation"):
        service.invite(me(lead), staffing, world.other.user)
    with pytest.raises(ValidationError, match="organisation"):
        service.invite(me(lead), staffing, world.user(Role.VIEWER))
    page = http_for(lead).post(f"/assessments/{world.draft.pk}/staffing/invite/", {"rater": "x"})
    assert page.status_code == 400
    assert b"Rater: choose a member to invite" in page.content


def _pages(world, staffing, users):
    pk = world.draft.pk
    bodies = []
    for user in users:
        http = http_for(user)
        for url in (f"/assessments/{pk}/staffing/", f"/assessments/{pk}/staffing/rate/"):
            response = http.get(url)
            assert response.status_code in {200, 302}
            bodies.append(CSRF.sub(b"", response.content))
        saved = http.post(
            f"/assessments/{pk}/staffing/rate/save/",
            {"revision": 0, "step": "functional", "ops": []},
            content_type="application/json",
        )
        bodies.append(saved.content)
    return bodies


def test_blind_before_rating_is_over(world, team):
    staffing, lead, (clinician, trainee, outsider) = team
    n = len(items(world.draft))
    rate_all(staffing, trainee, [1] * n)
    rate_all(staffing, clinician, [0] * n)
    service.submit_ratings(me(clinician), staffing)
    rate_all(staffing, outsider, [3] * n)
    before = _pages(world, staffing, [trainee, lead, outsider])
    # the submitted rater and the unsubmitted one both change every value
    row = staffing.raters.get(user=clinician)
    row.ratings = dict.fromkeys(items(world.draft), 3)
    row.save()
    rate_all(staffing, outsider, [2] * n)
    after = _pages(world, staffing, [trainee, lead])
    assert after == before[: len(after)]
    # my own values are shown to me, and only to me
    trainee_page = http_for(trainee).get(f"/assessments/{world.draft.pk}/staffing/rate/")
    assert trainee_page.content.count(b'value="1" checked') == n
    assert b"How far the raters agree" not in before[0]
    assert b"How far the raters agree" not in before[3]


def test_a_rater_outside_the_care_team_rates_but_sees_nothing_else(world, team):
    _, _, (_, _, outsider) = team
    http = http_for(outsider)
    assert http.get(f"/assessments/{world.draft.pk}/staffing/rate/").status_code == 200
    assert http.get(f"/assessments/{world.draft.pk}/").status_code == 404
    assert http.get(f"/assessments/{world.in_review.pk}/staffing/").status_code == 404


def test_rate_with_the_form_save_resume_submit(world, team):
    staffing, _, (clinician, _, _) = team
    http = http_for(clinician)
    first, second = items(world.draft)[:2]
    url = f"/assessments/{world.draft.pk}/staffing/rate/"
    bad = http.post(url, {f"functional.{first}": "7", "action": "save"})
    assert bad.status_code == 400
    assert b"expected a rating 0-3 or not rated" in bad.content
    assert staffing.raters.get(user=clinician).ratings == {}
    assert http.post(url, {f"functional.{first}": "2", "action": "save"}).status_code == 302
    resumed = http.get(url)
    assert f'name="functional.{first}" value="2" checked'.encode() in resumed.content
    http.post(url, {f"functional.{second}": "", "action": "submit"})
    row = staffing.raters.get(user=clinician)
    assert row.submitted and row.ratings.get(first) == 2 and row.ratings.get(second) is None
    assert http.post(url, {f"functional.{first}": "3", "action": "save"}).status_code == 302
    assert staffing.raters.get(user=clinician).ratings[first] == 2  # submitted: unchanged
    events = AuditEvent.objects.filter(action="staffing.rate", object_id=str(staffing.pk))
    assert events.exists()
    assert all("2" not in str(e.details.get("items")) for e in events)


def constructed(n: int) -> dict[str, list[int | None]]:
    """Three raters over n items: B one level off on every fifth item, C two levels apart on
    every seventh and leaves the last item unrated."""
    a = [i % 4 for i in range(n)]
    b = [min(3, v + 1) if i % 5 == 0 else v for i, v in enumerate(a)]
    c: list[int | None] = [(v + 2) % 4 if i % 7 == 3 else v for i, v in enumerate(a)]
    c[-1] = None
    return {"a": a, "b": b, "c": c}


def test_results_match_the_reliability_package(world, team):
    staffing, lead, raters = team
    n = len(items(world.draft))
    data = constructed(n)
    for user, values in zip(raters, data.values(), strict=True):
        rate_all(staffing, user, values)
        service.submit_ratings(me(user), staffing)
    staffing.refresh_from_db()
    assert staffing.status == StaffingStatus.RECONCILING  # everyone submitted
    page = http_for(raters[0]).get(f"/assessments/{world.draft.pk}/staffing/")
    text = page.content.decode()
    matrix = [list(row) for row in zip(*data.values(), strict=True) if None not in row]
    expected = icc(matrix, "ICC2")
    assert staffing.icc_a1 == pytest.approx(expected.value)  # stored when rating ended
    assert f"{expected.value:.2f} (95% CI {expected.ci_low:.2f} to {expected.ci_high:.2f})" in text
    assert f"over the {n - 1} functions every rater rated" in text
    for x, y in (("a", "b"), ("a", "c"), ("b", "c")):
        pairs = [(p, q) for p, q in zip(data[x], data[y], strict=True) if None not in (p, q)]
        k = cohen_kappa(*zip(*pairs, strict=True), "quadratic", categories=[0, 1, 2, 3])
        assert f"<td>{len(pairs)}</td><td>{k.value:.2f}</td>" in text
    inst = load_instrument(world.draft.instrument_version)
    apart = [
        inst.function(f).name
        for i, f in enumerate(items(world.draft))
        if data["c"][i] is not None and abs(data["c"][i] - data["a"][i]) >= 2
    ]
    assert apart
    listed = re.search(r"Talk these through.*?</ul>", text, re.S).group(0)
    assert sorted(re.findall(r'">([^<]+)</a>', listed)) == sorted(apart)


def test_consensus_needs_a_reason_to_leave_the_median(world, team):
    staffing, lead, raters = team
    fs = items(world.draft)
    for user, value in zip(raters, (1, 2, 2), strict=True):
        rate_all(staffing, user, [value] * len(fs))
        service.submit_ratings(me(user), staffing)
    http = http_for(lead)
    url = f"/assessments/{world.draft.pk}/staffing/consensus/"
    revision = assessment_service.latest_revision(world.draft).number
    refused = http.post(url, {f"functional.{fs[0]}": "3"})
    assert refused.status_code == 400
    assert b"say why the consensus differs from the median" in refused.content
    staffing.refresh_from_db()
    assert staffing.status == StaffingStatus.RECONCILING
    assert assessment_service.latest_revision(world.draft).number == revision
    done = http.post(url, {f"functional.{fs[0]}": "3", f"reason.{fs[0]}": "seen at school"})
    assert done.status_code == 302
    staffing.refresh_from_db()
    world.draft.refresh_from_db()
    assert staffing.status == StaffingStatus.CLOSED
    assert world.draft.inputs["functional"][fs[0]] == 3
    assert all(world.draft.inputs["functional"][f] == 2 for f in fs[1:])  # the median
    assert world.draft.inputs["rater"].startswith(f"Staffing led by {lead.email} with 3 raters")
    latest = assessment_service.latest_revision(world.draft)
    assert (latest.number, latest.step) == (revision + 1, "staffing")
    event = AuditEvent.objects.get(action="staffing.consensus")
    assert event.details["changed_from_median"] == {fs[0]: "seen at school"}


def test_only_the_lead_reconciles_and_closes(world, team):
    staffing, lead, raters = team
    other_supervisor = MembershipFactory(
        organisation=world.draft.client.organisation, role=Role.SUPERVISOR
    ).user
    with pytest.raises(ValidationError, match="only the staffing's lead"):
        service.close_rating(me(other_supervisor), staffing)
    with pytest.raises(ValidationError, match="at least 2 raters"):
        service.close_rating(me(lead), staffing)


def test_a_staffed_assessment_is_signed_only_by_a_certified_lead(world, team):
    staffing, lead, raters = team
    for user in raters[:2]:
        rate_all(staffing, user, [2] * len(items(world.draft)))
        service.submit_ratings(me(user), staffing)
    service.close_rating(me(lead), staffing)
    service.apply_consensus(me(lead), staffing, {}, {})
    assessment_service.submit(me(lead), world.draft)
    org = world.draft.client.organisation
    today = timezone.localdate()

    def certificate(level: str, issued_on: dt.date) -> None:
        system = Actor.system("tests")
        demo_certificate(system, user=lead, level=level, issued_on=issued_on, organisation=org)

    def refused() -> None:
        with pytest.raises(ValidationError, match="staffing lead certificate"):
            assessment_service.sign(me(lead), world.draft)
        world.draft.refresh_from_db()
        assert world.draft.status == "in_review"

    refused()  # no certificate
    review = http_for(lead).get(f"/assessments/{world.draft.pk}/sign/").content.decode()
    assert "only a clinician with a valid staffing lead certificate can sign it" in review
    assert "You do not hold one at the moment." in review
    certificate("rater", today)
    refused()  # a rater certificate is not enough
    certificate("staffing_lead", today - dt.timedelta(days=400))
    refused()  # expired after 12 months
    # an assessment without a staffing is signed as before, by any supervising clinician
    assert assessment_service.sign(me(lead), world.in_review).status == "signed"
    certificate("staffing_lead", today - dt.timedelta(days=30))
    signed = assessment_service.sign(me(lead), world.draft)
    assert signed.status == "signed" and signed.signed_by == lead


def _api(world, staffing, user) -> list[bytes]:
    http = HttpClient()
    auth = bearer(api_token(user))
    return [
        http.get(f"/api/v1/staffings/{staffing.pk}", **auth).content,
        http.get(f"/api/v1/assessments/{world.draft.pk}/staffings", **auth).content,
    ]


def test_api_is_blind_before_rating_is_over(world, team):
    staffing, lead, (clinician, trainee, outsider) = team
    n = len(items(world.draft))
    auth = bearer(api_token(trainee))
    http = HttpClient()
    url = f"/api/v1/staffings/{staffing.pk}/ratings"
    first = items(world.draft)[0]
    bad = http.put(url, {"ratings": {first: 4}}, content_type="application/json", **auth)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == f"ratings.{first}"
    mine = http.put(url, {"ratings": {first: 1}}, content_type="application/json", **auth)
    assert mine.status_code == 200 and mine.json()["ratings"] == {first: 1}
    rate_all(staffing, clinician, [0] * n)
    service.submit_ratings(me(clinician), staffing)
    before = [b for user in (trainee, lead, outsider) for b in _api(world, staffing, user)]
    row = staffing.raters.get(user=clinician)
    row.ratings = dict.fromkeys(items(world.draft), 3)
    row.save()
    after = [b for user in (trainee, lead, outsider) for b in _api(world, staffing, user)]
    assert after == before
    seen = HttpClient().get(f"/api/v1/staffings/{staffing.pk}", **auth).json()
    assert seen["my_ratings"] == {first: 1}
    assert (seen["ratings"], seen["results"], seen["consensus"]) == (None, None, None)
    assert [r["submitted"] for r in seen["raters"]] == [True, False, False]
    # once rating is over: everyone's submitted ratings and the statistics
    submitted = http.post(f"/api/v1/staffings/{staffing.pk}/submit", **auth)
    assert submitted.status_code == 200
    service.close_rating(me(lead), staffing)
    over = HttpClient().get(f"/api/v1/staffings/{staffing.pk}", **auth).json()
    assert set(over["ratings"]) == {clinician.email, trainee.email}
    assert over["results"]["raters"] == [clinician.email, trainee.email]


def test_api_staffing_of_another_organisation_is_not_found(world, team):
    staffing, _, _ = team
    auth = bearer(api_token(world.other.user))
    response = HttpClient().get(f"/api/v1/staffings/{staffing.pk}", **auth)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_my_staffings_lists_where_i_lead_or_rate(world, team):
    staffing, lead, (clinician, _, outsider) = team
    page = http_for(outsider).get("/staffings/")
    assert page.status_code == 200
    assert f'href="/assessments/{world.draft.pk}/staffing/rate/"'.encode() in page.content
    assert AuditEvent.objects.filter(
        action="staffing.list", actor=outsider, details__staffings=[staffing.pk]
    ).exists()
    lead_page = http_for(lead).get("/staffings/").content.decode()
    assert world.draft.client.display_id in lead_page and "lead" in lead_page
    other = http_for(world.other.user).get("/staffings/").content.decode()
    assert world.draft.client.display_id not in other


def test_autosave_of_my_ratings(world, team):
    staffing, lead, (clinician, _, _) = team
    first = items(world.draft)[0]
    url = f"/assessments/{world.draft.pk}/staffing/rate/save/"

    def save(user, ops):
        body = {"revision": 0, "step": "functional", "ops": ops}
        return http_for(user).post(url, body, content_type="application/json")

    ok = save(clinician, [{"kind": "set", "path": f"functional.{first}", "value": "3"}])
    assert ok.status_code == 200
    assert ok.json()["revision"] == 1 and ok.json()["others"] == []
    assert staffing.raters.get(user=clinician).ratings == {first: 3}
    bad = save(clinician, [{"kind": "set", "path": "functional.not_a_function", "value": "1"}])
    assert bad.status_code == 400
    assert "not a function" in bad.json()["errors"]["functional.not_a_function"]
    not_invited = save(lead, [{"kind": "set", "path": f"functional.{first}", "value": "1"}])
    assert not_invited.status_code == 409
    assert staffing.raters.get(user=clinician).ratings == {first: 3}


def test_fidelity_dashboard_charts_the_agreement_of_staffings(world, team):
    staffing, _, raters = team
    n = len(items(world.draft))
    data = constructed(n)
    for user, values in zip(raters, data.values(), strict=True):
        rate_all(staffing, user, values)
        service.submit_ratings(me(user), staffing)
    matrix = [list(row) for row in zip(*data.values(), strict=True) if None not in row]
    expected = icc(matrix, "ICC2").value
    page = http_for(world.user(Role.ORG_ADMIN)).get("/training/fidelity/").content.decode()
    assert "Staffings (agreement among raters)" in page
    assert f"{expected:.2f} (n=1)" in page


def test_ids_beyond_the_database_answer_404(world, team):
    _, _, (_, _, outsider) = team
    huge = "33682889594788691996582806028288"
    auth = bearer(api_token(outsider))
    http = HttpClient()
    assert http.get(f"/api/v1/assessments/{huge}/staffings", **auth).status_code == 404
    assert http.get(f"/api/v1/staffings/{huge}", **auth).status_code == 404
    assert http_for(outsider).get(f"/assessments/{huge}/staffing/").status_code == 404


def test_the_editor_says_a_staffing_is_under_way(world, team):
    staffing, lead, _ = team
    url = f"/assessments/{world.draft.pk}/edit/functional/"
    page = http_for(lead).get(url).content.decode()
    assert "A staffing of this draft is under way" in page
    Staffing.objects.filter(pk=staffing.pk).update(status=StaffingStatus.CLOSED)
    assert "A staffing of this draft is under way" not in http_for(lead).get(url).content.decode()
