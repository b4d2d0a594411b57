"""No lost work, in a real browser: autosave survives a reload and a dropped connection,
two editors of one draft get a conflict with both values (never a silent overwrite), and
an amendment opens in the same editor and shows its difference from the signed version."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from neuroseq.instrument import load_instrument
from neuroseq.web.models import Assessment, AssessmentStatus
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from ..helpers import make_assessment
from .support import Keys, check_page, make_team, open_as, wait_saved

pytestmark = pytest.mark.slow


def rating(assessment: Assessment, function_id: str) -> Any:
    assessment.refresh_from_db()
    return assessment.inputs["functional"].get(function_id)


def checked(page: Any, function_id: str) -> str:
    return page.locator(f"#f-functional-{function_id} input:checked").get_attribute("value")


def test_autosave_survives_a_reload_and_a_dropped_connection(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    draft = service.start_draft(
        Actor(team.clinician.user, "c"), team.child, assessment_date="2026-01-10"
    )
    inst = load_instrument(draft.instrument_version)
    first, second, third = (f.id for f in inst.functions[:3])
    page = open_as(browser, live_server.url, team.clinician)
    url = f"{live_server.url}/assessments/{draft.pk}/edit/functional/"
    page.goto(url)
    Keys(page).press("2")
    Keys(page).press("1")
    wait_saved(page)
    page.reload()
    assert (checked(page, first), checked(page, second)) == ("2", "1")
    assert (rating(draft, first), rating(draft, second)) == (2, 1)

    # The connection drops: the change stays on the device, and is saved on the next load.
    page.route("**/edit/save/", lambda route: route.abort("internetdisconnected"))
    page.locator(f"#f-functional-{third} input:checked").focus()
    Keys(page).press("3")
    expect(page.locator("#save-state")).to_contain_text("Not saved yet: no connection")
    kept = page.evaluate(f"localStorage.getItem('neuroseq-draft-{draft.pk}')")
    assert f'"path":"functional.{third}"' in kept
    assert rating(draft, third) is None
    page.unroute("**/edit/save/")
    page.reload()
    wait_saved(page)
    assert checked(page, third) == "3"
    assert rating(draft, third) == 3
    assert page.evaluate(f"localStorage.getItem('neuroseq-draft-{draft.pk}')") is None

    # Offline in the browser's own sense: saved when the connection comes back.
    page.context.set_offline(True)
    page.locator(f"#f-functional-{first} input:checked").focus()
    Keys(page).press("0")
    expect(page.locator("#save-state")).to_contain_text("no connection")
    page.context.set_offline(False)
    wait_saved(page)
    assert rating(draft, first) == 0


def test_two_editors_of_one_draft_see_both_values_and_choose(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    draft = service.start_draft(
        Actor(team.clinician.user, "c"), team.child, assessment_date="2026-01-10"
    )
    inst = load_instrument(draft.instrument_version)
    shared, other = inst.functions[0].id, inst.functions[5].id
    url = f"{live_server.url}/assessments/{draft.pk}/edit/functional/"
    alice = open_as(browser, live_server.url, team.clinician)
    bob = open_as(browser, live_server.url, team.supervisor)
    alice.goto(url)
    bob.goto(url)  # both pages show revision 1: nothing rated

    Keys(alice).press("2")
    wait_saved(alice)
    assert rating(draft, shared) == 2

    # Bob rates a different item: it merges, and his page learns Alice's value.
    bob.locator(f"#f-functional-{other} input:checked").focus()
    Keys(bob).press("1")
    wait_saved(bob)
    assert (rating(draft, shared), rating(draft, other)) == (2, 1)
    expect(bob.locator("#others")).to_contain_text(inst.function(shared).name)
    assert checked(bob, shared) == "2"

    # Alice changes the shared item again while Bob, who last saw 2, sets it too.
    alice.locator(f"#f-functional-{shared} input:checked").focus()
    Keys(alice).press("3")
    wait_saved(alice)
    bob.locator(f"#f-functional-{shared} input:checked").focus()
    Keys(bob).press("0")
    conflicts = bob.locator("#conflicts")
    expect(conflicts).to_be_visible()
    expect(conflicts).to_contain_text(inst.function(shared).name)
    expect(conflicts).to_contain_text("clinician@clinic.example saved “3 (")
    expect(conflicts).to_contain_text("you chose “0 (")
    assert rating(draft, shared) == 3  # nothing was overwritten
    check_page(bob, "conflict")

    bob.get_by_role("button", name=re.compile("^Keep theirs")).click()
    expect(conflicts).to_be_hidden()
    assert checked(bob, shared) == "3" and rating(draft, shared) == 3

    # Once more, and this time Bob keeps his own value, knowingly.
    alice.locator(f"#f-functional-{shared} input:checked").focus()
    Keys(alice).press("2")
    wait_saved(alice)
    bob.locator(f"#f-functional-{shared} input:checked").focus()
    Keys(bob).press("0")
    expect(conflicts).to_contain_text("saved “2 (")
    bob.get_by_role("button", name=re.compile("^Use mine")).click()
    wait_saved(bob)
    assert rating(draft, shared) == 0


def test_an_amendment_is_edited_in_the_editor_and_shows_what_it_corrects(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    team.child.birth_date = dt.date(2016, 3, 14)  # the worked example's child
    team.child.save()
    signed = make_assessment(team.child, "signed")
    inst = load_instrument(signed.instrument_version)
    target = inst.functions[0].id
    before = signed.inputs["functional"][target]
    corrected = "1" if before != 1 else "2"
    base = live_server.url
    page = open_as(browser, base, team.supervisor)
    keys = Keys(page)
    page.goto(f"{base}/assessments/{signed.pk}/")
    page.get_by_text("Correct this assessment (start an amendment)").click()
    keys.tab_to(page.get_by_label("What is being corrected, and why"))
    keys.type("First item was entered for the wrong child")
    keys.tab_to(page.get_by_role("button", name="Start an amendment"))
    keys.press("Enter")
    expect(page.locator(".notice.amend")).to_contain_text("Amendment of signed version 1")
    expect(page.locator(".notice.amend")).to_contain_text("entered for the wrong child")
    amendment = Assessment.objects.get(supersedes=signed)
    check_page(page, "amendment")

    page.goto(f"{base}/assessments/{amendment.pk}/edit/functional/")
    page.locator(f"#f-functional-{target} input:checked").focus()
    keys.press(corrected)
    wait_saved(page)
    page.goto(f"{base}/assessments/{amendment.pk}/edit/review/")
    changed = page.get_by_role("region", name=re.compile("Changed from the signed version 1"))
    expect(changed).to_contain_text(inst.function(target).name)
    expect(changed).to_contain_text(f"{corrected} (")
    check_page(page, "amendment-check")
    keys.tab_to(page.get_by_role("button", name="Send for review"))
    keys.press("Enter")
    expect(page.get_by_text("Sent for review by a supervising clinician.")).to_be_visible()
    page.goto(f"{base}/assessments/{amendment.pk}/sign/")
    expect(page.get_by_role("region", name=re.compile("Changed from the signed"))).to_be_visible()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Sign this assessment").click()
    expect(page.get_by_text("Signed. This version can no longer change.")).to_be_visible()
    amendment.refresh_from_db()
    signed.refresh_from_db()
    assert amendment.status == AssessmentStatus.SIGNED
    assert amendment.inputs["functional"][target] == int(corrected)
    assert signed.inputs["functional"][target] == before  # the signed version never changed
    page.goto(f"{base}/assessments/{signed.pk}/")
    expect(page.get_by_text("Corrected by version 2 (signed).")).to_be_visible()
