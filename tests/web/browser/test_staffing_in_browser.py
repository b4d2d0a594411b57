"""A blind staffing in the browser: a lead opens it, two raters rate with the keyboard and
submit, the lead reconciles (a change from the median needs a reason), and signing the
staffed assessment is held to the certified-lead rule (issue 11, part 5)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from neuroseq.instrument import load_instrument
from neuroseq.web.models import AssessmentStatus, Role, Staffing, StaffingStatus
from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.certification import demo_certificate

from ..factories import MembershipFactory
from ..helpers import example_inputs
from .support import Keys, check_page, make_team, open_as, wait_saved


def rate_with_keys(page: Page, digits: str) -> None:
    """Rate every item in order (the grid starts on the first unrated item), then submit."""
    keys = Keys(page)
    for digit in digits:
        keys.press(digit)
    wait_saved(page)
    # after the last item the focus is on "Submit my ratings"
    assert page.evaluate("document.activeElement.textContent").strip() == "Submit my ratings"
    keys.press("Enter")
    expect(page.get_by_text("Your ratings are submitted. Thank you.")).to_be_visible()


def test_two_raters_and_a_lead(live_server: Any, browser: Browser) -> None:
    team = make_team()
    base = live_server.url
    second = MembershipFactory(
        organisation=team.child.organisation, role=Role.CLINICIAN, user__email="ot@clinic.example"
    )
    inputs = example_inputs(assessment_date=dt.date.today().isoformat())
    inputs.pop("client")
    draft = assessment_service.create_draft(Actor.system("tests"), team.child, inputs)
    inst = load_instrument(draft.instrument_version)
    n = len(inst.function_ids)

    lead = open_as(browser, base, team.supervisor)
    lead.goto(f"{base}/assessments/{draft.pk}/")
    lead.get_by_role("link", name="Staffing", exact=True).click()
    check_page(lead, "staffing-empty")
    lead.get_by_role("button", name="Open a staffing and lead it").click()
    expect(lead.get_by_text("Staffing opened. Invite the raters next.")).to_be_visible()
    for member in (team.clinician, second):
        lead.get_by_label("Invite a rater").select_option(value=str(member.user.pk))
        lead.get_by_role("button", name="Invite", exact=True).click()
        expect(lead.get_by_text(f"Invited {member.user.email}.")).to_be_visible()
    check_page(lead, "staffing-open")

    first_digits = "".join(str(i % 4) for i in range(n))
    second_digits = "".join(str((i + 2) % 4) if i % 6 == 0 else str(i % 4) for i in range(n))

    one = open_as(browser, base, team.clinician)
    one.goto(f"{base}/assessments/{draft.pk}/staffing/")
    one.get_by_role("link", name="Start my ratings").click()
    check_page(one, "staffing-rate")
    rate_with_keys(one, first_digits)

    # The second rater, on a phone, sees none of the first rater's ratings, and no results.
    two = open_as(browser, base, second, width=390)
    two.goto(f"{base}/assessments/{draft.pk}/staffing/rate/")
    check_page(two, "staffing-rate-phone", width=390)
    assert two.locator("input[type=radio][value='0']:checked").count() == 0
    assert two.locator("input[type=radio][value='']:checked").count() == n
    rate_with_keys(two, second_digits)
    staffing = Staffing.objects.get(assessment=draft)
    assert staffing.status == StaffingStatus.RECONCILING
    mine = staffing.raters.get(user=team.clinician.user).ratings
    assert [mine[f] for f in inst.function_ids] == [int(d) for d in first_digits]

    # The lead sees the spread and agreement, and sets the consensus.
    lead.goto(f"{base}/assessments/{draft.pk}/staffing/")
    check_page(lead, "staffing-results")
    phone = open_as(browser, base, team.supervisor, width=390)
    phone.goto(f"{base}/assessments/{draft.pk}/staffing/")
    check_page(phone, "staffing-results-phone", width=390)
    expect(lead.get_by_role("heading", name="How far the raters agree")).to_be_visible()
    expect(lead.get_by_text(re.compile("Talk these through"))).to_be_visible()
    item = inst.function_ids[1]
    name = inst.function(item).name
    lead.get_by_label(f"Consensus for {name}").select_option("3")
    lead.get_by_role("button", name="Apply the consensus to the draft").click()
    expect(lead.get_by_text(re.compile("say why the consensus differs"))).to_be_visible()
    lead.get_by_label(f"Reason for {name}").fill("Seen at home and school this month")
    lead.get_by_role("button", name="Apply the consensus to the draft").click()
    expect(lead.get_by_text(re.compile("Consensus applied: it is now"))).to_be_visible()
    draft.refresh_from_db()
    assert draft.inputs["functional"][item] == 3

    # Signing: a staffed assessment needs a certified staffing lead.
    assessment_service.submit(Actor(team.supervisor.user, "lead"), draft)

    def sign() -> None:
        lead.goto(f"{base}/assessments/{draft.pk}/sign/")
        lead.get_by_role("checkbox").check()
        lead.get_by_role("button", name="Sign this assessment").click()

    sign()
    refusal = lead.get_by_role("alert").filter(has_text="Signing was refused")
    expect(refusal).to_contain_text("valid staffing lead certificate")
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.IN_REVIEW
    demo_certificate(
        Actor.system("tests"),
        user=team.supervisor.user,
        level="staffing_lead",
        issued_on=dt.date.today(),
        organisation=team.child.organisation,
    )
    sign()
    expect(lead.get_by_text("Signed. This version can no longer change.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SIGNED and draft.signed_by == team.supervisor.user
