"""Training pages: rate a vignette, see the key; trainers certify; the fidelity dashboard."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from neuroseq.instrument import load_instrument
from neuroseq.reliability import icc
from neuroseq.training import get_vignette, load_vignettes
from neuroseq.web.models import Certification, Role, VignetteAttempt
from neuroseq.web.services import certification as svc
from neuroseq.web.services import staffing as staffing_service
from neuroseq.web.services.audit import Actor

from .helpers import sign_in

VIGNETTE = get_vignette("typical_control_school_age")
TODAY = timezone.localdate()


def _post_ratings(http, ratings, vignette=VIGNETTE):
    return http.post(
        f"/training/vignettes/{vignette.id}/",
        {fid: "" if v is None else str(v) for fid, v in ratings.items()},
    )


def _passes(user, count=3):
    for i, vignette in enumerate(load_vignettes()[:count]):
        svc.submit_attempt(
            Actor(user, user.email),
            vignette_id=vignette.id,
            version=vignette.version,
            ratings=vignette.key_statuses,
            now=timezone.now() - dt.timedelta(minutes=10 - i),
        )


def test_trainee_rates_a_vignette_and_sees_the_key_with_reasoning(world, as_role):
    http = as_role(Role.TRAINEE)
    home = http.get("/training/")
    text = home.content.decode()
    assert home.status_code == 200
    assert "Ava, 9" in text
    assert "typically developing (control case)" not in text  # the pattern is the answer
    ratings = dict(VIGNETTE.key_statuses)
    ratings["literacy"] = 0  # key 2
    ratings["reasoning"] = None
    response = _post_ratings(http, ratings)
    attempt = VignetteAttempt.objects.get(user=world.user(Role.TRAINEE))
    assert (
        response.status_code == 302 and response["Location"] == f"/training/attempts/{attempt.pk}/"
    )
    page = http.get(response["Location"]).content.decode()
    assert "Items missed most" in page
    assert VIGNETTE.key["literacy"].reasoning in page
    assert "You left it unrated." in page
    assert "Exact: 94%" in page  # 30 of 32 items exact
    assert "ICC(A,1)" in page and "0 of 3 in a row" in page


def test_bad_ratings_answer_400_naming_the_item_and_store_nothing(world, as_role):
    http = as_role(Role.CLINICIAN)
    response = http.post(f"/training/vignettes/{VIGNETTE.id}/", {"sleep_regulation": "5"})
    assert response.status_code == 400
    assert "ratings.sleep_regulation" in response.content.decode()
    assert http.post(f"/training/vignettes/{VIGNETTE.id}/", {}).status_code == 400
    assert http.get("/training/vignettes/no_such_case/").status_code == 404
    assert not VignetteAttempt.objects.exists()


def test_attempts_of_others_answer_404(world, as_role, http):
    _passes(world.other.user, 1)
    _passes(world.user(Role.CLINICIAN), 1)
    other_org = VignetteAttempt.objects.get(user=world.other.user)
    colleague = VignetteAttempt.objects.get(user=world.user(Role.CLINICIAN))
    http = as_role(Role.TRAINEE)
    assert http.get(f"/training/attempts/{other_org.pk}/").status_code == 404
    assert http.get(f"/training/attempts/{colleague.pk}/").status_code == 404
    assert as_role(Role.CLINICIAN).get(f"/training/attempts/{colleague.pk}/").status_code == 200


def test_admin_bootstraps_a_trainer_who_then_certifies_and_is_refused_with_reasons(world, as_role):
    supervisor = world.user(Role.SUPERVISOR)
    admin = as_role(Role.ORG_ADMIN)
    sup_pk = world.members[Role.SUPERVISOR].pk
    page = admin.get("/training/trainees/").content.decode()
    assert "no certified trainer yet" in page
    _passes(supervisor)
    for level in ("rater", "staffing_lead", "trainer"):
        response = admin.post(f"/training/trainees/{sup_pk}/certify/", {"level": level})
        assert response.status_code == 302
    assert Certification.objects.filter(user=supervisor).count() == 3
    # The organisation now has a trainer; the admin's certify is refused with the reason.
    trainee_pk = world.members[Role.TRAINEE].pk
    refused = admin.post(
        f"/training/trainees/{trainee_pk}/certify/", {"level": "rater"}, follow=True
    )
    assert "trainers certify" in refused.content.decode()
    trainer = sign_in(type(admin)(), supervisor)
    refused = trainer.post(
        f"/training/trainees/{trainee_pk}/certify/", {"level": "rater"}, follow=True
    )
    assert "Not certified." in refused.content.decode()
    assert "the current run is 0" in refused.content.decode()
    _passes(world.user(Role.TRAINEE))
    ok = trainer.post(f"/training/trainees/{trainee_pk}/certify/", {"level": "rater"}, follow=True)
    assert "Certified trainee@alpha.example as rater" in ok.content.decode()
    # The trainer can read the trainee's attempts; another organisation's member is 404.
    attempt = VignetteAttempt.objects.filter(user=world.user(Role.TRAINEE)).first()
    assert trainer.get(f"/training/attempts/{attempt.pk}/").status_code == 200
    assert trainer.get(f"/training/trainees/{world.other.pk}/").status_code == 404
    assigned = trainer.post(
        "/training/assign/",
        {"trainee": trainee_pk, "vignette": VIGNETTE.id, "due": "not a date"},
        follow=True,
    )
    assert "due: expected a date" in assigned.content.decode()
    trainer.post("/training/assign/", {"trainee": trainee_pk, "vignette": VIGNETTE.id})
    home = as_role(Role.TRAINEE).get("/training/").content.decode()
    assert "?assignment=" in home and "from supervisor@alpha.example" in home


def test_fidelity_dashboard_lists_levels_expiring_certificates_and_a_chart(world, as_role):
    clinician = world.user(Role.CLINICIAN)
    _passes(clinician)
    svc.demo_certificate(
        Actor.system("tests"),
        user=clinician,
        level="staffing_lead",
        issued_on=TODAY - dt.timedelta(days=365 - 40),
        organisation=world.team1.organisation,
    )
    page = as_role(Role.ORG_ADMIN).get("/training/fidelity/").content.decode()
    assert "Expiring in the next 60 days" in page
    assert "clinician@alpha.example" in page or clinician.full_name in page
    assert "<svg" in page and "certification 0.80" in page
    assert "1.00 (n=3)" in page
    assert as_role(Role.SUPERVISOR).get("/training/fidelity/").status_code == 403


def test_hostile_rating_forms_get_a_400_and_change_nothing(world, as_role):
    http = as_role(Role.TRAINEE)
    url = f"/training/vignettes/{VIGNETTE.id}/"
    for data in (
        {"sleep_regulation": "2.0"},
        {"sleep_regulation": "\x00"},
        {"sleep_regulation": "9" * 5000},
        {f"x{i}": "1" for i in range(900)},
        {"assignment": "not-a-number", "literacy": "7"},
    ):
        response = http.post(url, data)
        assert response.status_code == 400, data
        assert len(response.content) < 200_000
    assert not VignetteAttempt.objects.exists()


def test_fidelity_chart_shows_agreement_among_the_raters_of_closed_staffings(world, as_role):
    lead = world.user(Role.SUPERVISOR)
    raters = [world.user(Role.CLINICIAN), world.user(Role.TRAINEE)]
    staffing = staffing_service.open_staffing(Actor(lead, lead.email), world.draft)
    ids = list(load_instrument(world.draft.instrument_version).function_ids)
    first = [i % 4 for i in range(len(ids))]
    second = [min(3, v + (i % 3 == 0)) for i, v in enumerate(first)]
    for user, values in zip(raters, (first, second), strict=True):
        staffing_service.invite(Actor(lead, lead.email), staffing, user)
        staffing_service.save_ratings(
            Actor(user, user.email), staffing, dict(zip(ids, values, strict=True))
        )
        staffing_service.submit_ratings(Actor(user, user.email), staffing)
    expected = icc([list(pair) for pair in zip(first, second, strict=True)], "ICC2").value
    page = as_role(Role.ORG_ADMIN).get("/training/fidelity/").content.decode()
    assert "Staffings (agreement among raters)" in page
    assert f"{expected:.2f} (n=1)" in page


def test_an_attempt_on_a_retired_case_version_still_shows_its_stored_figures(world, as_role):
    _passes(world.user(Role.TRAINEE), 1)
    attempt = VignetteAttempt.objects.get(user=world.user(Role.TRAINEE))
    VignetteAttempt.objects.filter(pk=attempt.pk).update(vignette_version=99)
    page = as_role(Role.TRAINEE).get(f"/training/attempts/{attempt.pk}/")
    assert page.status_code == 200
    assert "is no longer in the library" in page.content.decode()


def test_trainer_page_links_to_training_home_only_for_those_who_may_open_it(world, as_role):
    """The admin cannot open /training/ (403), so the admin's trainer page has no link to
    it; a certified trainer (a supervisor) gets the breadcrumb and the link works."""
    admin = as_role(Role.ORG_ADMIN)
    assert admin.get("/training/").status_code == 403
    page = admin.get("/training/trainees/").content.decode()
    assert 'href="/training/"' not in page
    supervisor = world.user(Role.SUPERVISOR)
    _passes(supervisor)
    certify = f"/training/trainees/{world.members[Role.SUPERVISOR].pk}/certify/"
    for level in ("rater", "staffing_lead", "trainer"):
        admin.post(certify, {"level": level})
    trainer = sign_in(type(admin)(), supervisor)
    page = trainer.get("/training/trainees/").content.decode()
    assert 'href="/training/"' in page
    assert trainer.get("/training/").status_code == 200


def test_a_key_with_little_spread_leads_with_exact_agreement_and_says_why(world, as_role):
    """The typical control's key is mostly 3s: rating every item 3 matches two thirds of
    the key exactly, yet ICC and kappa fall to about 0 (QA finding 12). The page must say
    so and put exact / within-one first; a key with spread gets no such note."""
    statuses = list(VIGNETTE.key_statuses.values())
    assert statuses.count(3) == 21 and len(statuses) == 32  # the data the note quotes
    http = as_role(Role.TRAINEE)
    response = _post_ratings(http, dict.fromkeys(VIGNETTE.key_statuses, 3))
    page = http.get(response["Location"]).content.decode()
    assert "unstable for this case:</strong> 21 of 32 items of the key are 3" in page
    assert page.index("Exact: 66%") < page.index("ICC(A,1):")
    spread = get_vignette("later_onset_trauma_teen")
    response = _post_ratings(http, dict(spread.key_statuses), vignette=spread)
    page = http.get(response["Location"]).content.decode()
    assert "ICC and kappa are unstable" not in page
    assert page.index("ICC(A,1):") < page.index("Exact: 100%")
