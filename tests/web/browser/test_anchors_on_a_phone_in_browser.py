"""On a phone the rating anchors cannot sit beside the list: the item being rated shows its
own anchors under it, whether it was reached by keyboard or by a tap (QA finding 9)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import Browser, Page, expect

from neuroseq.web.services import assessments as assessment_service
from neuroseq.web.services.audit import Actor

from ..helpers import example_inputs, sign_in
from .support import check_page, make_team


def touch_phone(browser: Browser, base: str, user: Any) -> Page:
    """A 390 px touch screen, signed in as ``user``."""
    http = sign_in(HttpClient(), user)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": http.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context.new_page()


def test_the_tapped_item_shows_its_anchors_under_it_on_a_phone(
    live_server: Any, browser: Browser
) -> None:
    team = make_team()
    base = live_server.url
    inputs = example_inputs(assessment_date=dt.date.today().isoformat())
    inputs.pop("client")
    draft = assessment_service.create_draft(Actor.system("tests"), team.child, inputs)
    phone = touch_phone(browser, base, team.clinician.user)
    phone.goto(f"{base}/assessments/{draft.pk}/edit/functional/")
    check_page(phone, "anchors-phone", width=390)
    expect(phone.locator("#keys-help")).to_contain_text("under the item")
    focused = phone.locator("fieldset.item:has(input:focus)")  # the first item not rated
    first = phone.locator(f"#{focused.get_attribute('id')}")
    expect(first.locator(".anchors")).to_be_visible()
    expect(phone.locator("fieldset.item .anchors:visible")).to_have_count(1)
    sleep = phone.locator("#f-functional-sleep_regulation")
    assert focused.get_attribute("id") != "f-functional-sleep_regulation"
    expect(sleep.locator(".anchors")).to_be_hidden()
    sleep.locator("label.choice").nth(1).tap()
    expect(sleep.locator(".anchors")).to_be_visible()
    expect(sleep.locator(".anchor.chosen")).to_have_attribute("data-value", "1")
    expect(first.locator(".anchors")).to_be_hidden()
