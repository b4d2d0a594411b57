"""A trainee rates a training vignette by keyboard only, then reads the key; the training
pages are accessible and fit a 390 px phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from playwright.sync_api import Browser, expect

from neuroseq.instrument import load_instrument
from neuroseq.training import get_vignette, load_vignettes
from neuroseq.web.models import Role, VignetteAttempt
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.certification import demo_certificate, submit_attempt

from ..factories import MembershipFactory
from .support import Keys, check_page, focused_path, make_team, open_as


def test_a_vignette_rated_by_keyboard_then_compared_with_the_key(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    base = live_server.url
    vignette = get_vignette("later_onset_trauma_teen")
    assert vignette is not None
    inst = load_instrument(vignette.instrument_version)
    order = [f.id for r in inst.regions for f in inst.functions_in_region(r.id)]
    page = open_as(browser, base, team.clinician)
    page.goto(f"{base}/training/")
    check_page(page, "training-home")
    page.goto(f"{base}/training/vignettes/{vignette.id}/")
    check_page(page, "training-rate")
    assert focused_path(page) == order[0]
    keys = Keys(page)
    digits = [str(vignette.key[fid].status) for fid in order]
    digits[order.index("literacy")] = "1"  # key 3: a two-level miss
    for digit in digits:
        keys.press(digit)
    expect(page.get_by_role("button", name="Submit and see the key")).to_be_focused()
    keys.press("Enter")
    expect(page.get_by_role("heading", name="Items missed most")).to_be_visible()
    assert keys.count == len(order) + 1  # one key per item, one to submit
    attempt = VignetteAttempt.objects.get(user=team.clinician.user)
    assert attempt.ratings["literacy"] == 1 and attempt.ratings["sleep_regulation"] == 2
    expect(page.locator("main")).to_contain_text(vignette.key["literacy"].reasoning)
    expect(page.locator("main")).to_contain_text("within one: 97%")  # 31 of 32
    check_page(page, "training-result")
    for path in ("/training/", f"/training/vignettes/{vignette.id}/", page.url[len(base) :]):
        phone = open_as(browser, base, team.clinician, width=390)
        phone.goto(f"{base}{path}")
        check_page(phone, "training-phone", width=390)
        phone.context.close()


def test_trainer_and_fidelity_pages_are_accessible_on_a_phone(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    admin = MembershipFactory(
        organisation=team.supervisor.organisation, role=Role.ORG_ADMIN, user__email="a@x.example"
    )
    base = live_server.url
    today = timezone.localdate()
    clinician = team.clinician.user
    for index, vignette in enumerate(load_vignettes()[:3]):
        submit_attempt(
            Actor(clinician, clinician.email),
            vignette_id=vignette.id,
            version=vignette.version,
            ratings=vignette.key_statuses,
            now=timezone.now() - dt.timedelta(days=40 * index),
        )
    demo_certificate(
        Actor.system("tests"),
        user=team.supervisor.user,
        level="staffing_lead",
        issued_on=today - dt.timedelta(days=330),
        organisation=team.supervisor.organisation,
    )
    for member, path in (
        (admin, "/training/trainees/"),
        (admin, f"/training/trainees/{team.clinician.pk}/"),
        (admin, "/training/fidelity/"),
    ):
        for width in (1280, 390):
            page = open_as(browser, base, member, width=width)
            page.goto(f"{base}{path}")
            check_page(page, "training-" + path.strip("/").replace("/", "-"), width=width)
            if path.endswith("fidelity/"):
                expect(page.locator("main")).to_contain_text("staffing lead, expires")
            page.context.close()
