"""The clinician's whole job in a real browser, keyboard only: enter a case step by step,
send it for review, be returned with comments, correct it, have it signed, share it with
the family; the caregiver and the teacher read only what was shared. Every page passes
axe-core (no serious or critical violations) and does not scroll sideways.

The functional review's keystrokes are counted: the target is at most 1.2 per item.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from neuroseq.instrument import load_instrument
from neuroseq.web.models import Assessment, AssessmentStatus, FamilyRelease

from .support import Keys, check_page, focused_path, make_team, open_as, tile_status, wait_saved

pytestmark = pytest.mark.slow

KEYS_PER_ITEM_GOAL = 1.2


def add_adversity(page: Page, kind: str, when: str, severity_steps: int, chronicity_steps: int):
    """Fill the add form with the keyboard: type to choose, arrows for the radios."""
    keys = Keys(page)
    keys.tab_to(page.get_by_label("Kind of adversity"))
    keys.type(kind)
    keys.press("Tab")
    keys.type(when)
    keys.press("Tab")  # severity: the first arrow press checks "2 moderate"
    keys.press("ArrowRight", severity_steps)
    keys.press("Tab")  # how long: "single episode" is checked; arrows move down
    keys.press("ArrowDown", chronicity_steps)
    keys.tab_to(page.get_by_role("button", name="Add to the history"))
    keys.press("Enter")
    page.wait_for_load_state()


def title(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def rate_grid(page: Page, digits: str) -> Keys:
    """Rate the items of a keyboard grid in order, one key each, from the focused item."""
    keys = Keys(page)
    for digit in digits:
        keys.press(digit)
    return keys


def test_a_case_entered_by_keyboard_returned_signed_and_shared(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    base = live_server.url
    inst = load_instrument()
    page = open_as(browser, base, team.clinician)
    keys = Keys(page)

    page.goto(f"{base}/clients/{team.child.pk}/")
    check_page(page, "client")
    keys.tab_to(page.get_by_role("link", name="New assessment"))
    keys.press("Enter")
    expect(page.get_by_role("heading", name="New assessment for Maya Okafor")).to_be_visible()
    check_page(page, "start")
    keys.tab_to(page.get_by_role("button", name="Start the assessment"))
    keys.press("Enter")

    # Developmental history: only the periods a type can happen in are offered.
    expect(title(page)).to_have_text("Developmental history")
    draft = Assessment.objects.get(client=team.child)
    check_page(page, "history")
    page.get_by_label("Kind of adversity").focus()
    page.keyboard.type("Intra")
    offered = page.eval_on_selector_all(
        "#f-period option:not([disabled])", "os => os.map(o => o.value).filter(Boolean)"
    )
    assert offered == ["prenatal"]
    add_adversity(page, "Intrauterine alcohol", "Prenatal", 1, 1)
    add_adversity(page, "Neglect", "2-6", 2, 2)
    timeline = page.locator("#period-m2_6")
    expect(timeline).to_contain_text("Neglect, severe, chronic")
    expect(page.locator("#period-prenatal")).to_contain_text("Intrauterine alcohol exposure")
    loads = page.locator(".timeline .load").all_inner_texts()
    assert loads[0] != "load 0.0" and loads[2] != "load 0.0"  # prenatal and 2-6 months
    assert "load 0.0" in loads[1]  # 0-2 months: nothing entered
    draft.refresh_from_db()
    assert [a["type"] for a in draft.inputs["adversities"]] == ["intrauterine_alcohol", "neglect"]
    keys.tab_to(page.get_by_role("link", name="Continue to relational health history"))
    keys.press("Enter")

    # Relational health history: the grid has the focus; one key per item.
    expect(title(page)).to_have_text("Relational health history")
    check_page(page, "relational-history")
    items = page.locator("fieldset.item").count()
    rate_grid(page, ("1201" * items)[:items])
    wait_saved(page)
    expect(page.get_by_role("button", name="Save and continue")).to_be_focused()
    keys.press("Enter")

    # Current relational health: the gate appears as soon as it can be computed.
    expect(title(page)).to_have_text("Current relational health")
    expect(page.locator("#gate-panel")).to_contain_text("Not rated yet")
    check_page(page, "current-relational")
    rate_grid(page, "2")
    wait_saved(page)
    expect(page.locator("#gate-panel .big-number")).not_to_have_text("Not rated yet")
    rate_grid(page, "2" * (len(inst.current_items) - 1))
    wait_saved(page)
    expect(page.locator("#gate-panel .big-number")).to_have_text("Sufficient")
    keys.press("Enter")

    # Functional review: count every key from the page's first item to the next step.
    expect(title(page)).to_have_text("Functional review")
    check_page(page, "functional")
    first = inst.functions[0].id
    assert focused_path(page) == f"functional.{first}"
    assert tile_status(page, first) == "none"
    ratings = ("3223" * 8)[: len(inst.functions)]
    review = Keys(page)
    for position, digit in enumerate(ratings):
        if position == 1:  # the live map shows the first rating once it is saved
            wait_saved(page)
            assert tile_status(page, first) == ratings[0]
            expect(page.locator("#focus-panel")).to_contain_text(inst.functions[1].name)
        review.press(digit)
    wait_saved(page)
    assert tile_status(page, inst.functions[-1].id) == ratings[-1]
    expect(page.get_by_role("button", name="Save and continue")).to_be_focused()
    review.press("Enter")
    per_item = review.count / len(inst.functions)
    assert per_item <= KEYS_PER_ITEM_GOAL, f"{per_item:.2f} keys per item"
    draft.refresh_from_db()
    assert [draft.inputs["functional"][f.id] for f in inst.functions] == [int(d) for d in ratings]

    # Safety flags (instrument v2): answer each with the keyboard.
    expect(title(page)).to_have_text("Safety flags")
    check_page(page, "flags")
    for flag in inst.flags:
        keys.tab_to(page.locator(f"#f-clinical_flags-{flag.id} input:checked"))
        keys.press("ArrowLeft")  # "not assessed" -> "no"
    wait_saved(page)
    keys.tab_to(page.get_by_role("button", name="Save and continue"))
    keys.press("Enter")

    # Check and send.
    expect(title(page)).to_have_text("Check and send for review")
    expect(page.get_by_role("heading", name="Complete: every part is entered")).to_be_visible()
    check_page(page, "check")
    keys.tab_to(page.get_by_role("button", name="Send for review"))
    keys.press("Enter")
    expect(page.get_by_text("Sent for review by a supervising clinician.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.IN_REVIEW

    # The supervising clinician returns it with a comment.
    supervisor = open_as(browser, base, team.supervisor)
    boss = Keys(supervisor)
    supervisor.goto(f"{base}/assessments/{draft.pk}/")
    check_page(supervisor, "in-review")
    boss.tab_to(supervisor.get_by_role("link", name="Review: return or sign"))
    boss.press("Enter")
    expect(
        supervisor.get_by_role("heading", name=re.compile("Review the assessment"))
    ).to_be_visible()
    check_page(supervisor, "review")
    boss.tab_to(supervisor.get_by_label("What should the clinician change?"))
    boss.type("Sleep does not match the diary; please check it.")
    boss.tab_to(supervisor.get_by_role("button", name="Return to the clinician"))
    boss.press("Enter")
    expect(supervisor.get_by_text("Returned to the clinician with your comments.")).to_be_visible()

    # The clinician sees the comment and corrects one rating.
    page.goto(f"{base}/assessments/{draft.pk}/edit/")
    expect(page.get_by_text("Sleep does not match the diary")).to_be_visible()
    check_page(page, "returned")
    page.goto(f"{base}/assessments/{draft.pk}/edit/functional/")
    sleep = inst.function_ids.index("sleep_regulation")
    corrected = "1" if ratings[sleep] != "1" else "2"
    keys.tab_to(page.locator("#f-functional-sleep_regulation input:checked"))
    keys.press(corrected)
    wait_saved(page)
    page.goto(f"{base}/assessments/{draft.pk}/edit/review/")
    keys.tab_to(page.get_by_role("button", name="Send for review"))
    keys.press("Enter")
    expect(page.get_by_text("Sent for review by a supervising clinician.")).to_be_visible()

    # The supervisor sees what changed since returning it, and signs with a confirmation.
    supervisor.goto(f"{base}/assessments/{draft.pk}/sign/")
    changes = supervisor.get_by_role("region", name=re.compile("Changed since it was returned"))
    expect(changes).to_contain_text("Sleep regulation")
    expect(changes).to_contain_text(f"{ratings[sleep]} (")
    expect(changes).to_contain_text(f"{corrected} (")
    boss.tab_to(supervisor.get_by_role("button", name="Sign this assessment"))
    boss.press("Enter")
    # Said twice: in the error summary at the top (a link to the box) and beside the box.
    expect(
        supervisor.get_by_role("link", name="Tick the box to confirm you have reviewed it.")
    ).to_be_visible()
    expect(
        supervisor.locator(".field-error", has_text="Tick the box to confirm you have reviewed it.")
    ).to_be_visible()
    boss.tab_to(supervisor.get_by_role("checkbox"))
    boss.press("Space")
    boss.tab_to(supervisor.get_by_role("button", name="Sign this assessment"))
    boss.press("Enter")
    expect(supervisor.get_by_text("Signed. This version can no longer change.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SIGNED and draft.signed_by == team.supervisor.user

    # Nothing is shared with the family until the clinician releases it.
    family = open_as(browser, base, team.caregiver)
    family.goto(f"{base}/clients/{team.child.pk}/family/")
    expect(family.get_by_text("The team has not shared a review yet.")).to_be_visible()
    page.goto(f"{base}/assessments/{draft.pk}/")
    check_page(page, "signed")
    keys.tab_to(page.get_by_role("button", name="Share with the family"))
    keys.press("Enter")
    expect(page.get_by_text("Shared with the child's caregivers and teachers.")).to_be_visible()
    assert FamilyRelease.objects.filter(assessment=draft, withdrawn_at__isnull=True).exists()

    family.goto(f"{base}/children/")
    check_page(family, "children")
    family.get_by_role("link", name="Maya Okafor").click()
    expect(family.get_by_role("heading", name="Maya Okafor", exact=False).first).to_be_visible()
    expect(
        family.get_by_role("heading", name="How far along each kind of skill is")
    ).to_be_visible()
    expect(family.locator("main")).to_contain_text("your child")
    check_page(family, "family-caregiver")
    teacher = open_as(browser, base, team.teacher)
    teacher.goto(f"{base}/clients/{team.child.pk}/family/")
    expect(teacher.get_by_role("heading", name="Maya Okafor", exact=False).first).to_be_visible()
    expect(
        teacher.get_by_text(re.compile("for the adults who work with Maya at school"))
    ).to_be_visible()
    assert "your child" not in teacher.locator("main").inner_text().lower()
    check_page(teacher, "family-teacher")
    assert keys.count > 0 and boss.count > 0
