"""In a real browser: the API docs work offline under our CSP; the token page shows a new
token once and passes axe-core."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from ..factories import MembershipFactory
from .test_clinic_in_browser import assert_accessible, sign_in


def test_token_is_shown_once(live_server: Any, page: Page, transactional_db: None) -> None:
    base = live_server.url
    MembershipFactory(role="viewer", user__email="carer@clinic.example")
    sign_in(page, base, "carer@clinic.example")
    # a caregiver's header has no tokens link (QA 18); the page itself stays theirs
    expect(page.get_by_role("link", name="API tokens")).to_have_count(0)
    page.goto(f"{base}/account/tokens/")
    expect(page.get_by_role("heading", name="Your API tokens")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Name").fill("home tablet")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("New token")
    expect(token).to_have_value(re.compile(r"^nsq_[0-9a-f]{12}_"))
    assert_accessible(page)
    # The token is in that one response only (never stored, never in a session).
    page.goto(f"{base}/account/tokens/")
    expect(page.get_by_label("New token")).to_have_count(0)
    expect(page.get_by_role("cell", name="home tablet", exact=True)).to_be_visible()
