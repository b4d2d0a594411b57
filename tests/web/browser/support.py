"""Helpers for the workflow browser tests: signed-in pages, keyboard moves, layout checks."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import Browser, Locator, Page

from neuroseq.web.models import Client, Membership, Role, ViewerKind
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor

from ..factories import CareTeamFactory, ClientFactory, MembershipFactory
from ..helpers import sign_in
from .test_clinic_in_browser import assert_accessible

SHOTS = os.environ.get("NEUROSEQ_SCREENSHOTS")  # a folder: save a screenshot of each page

__all__ = ["assert_accessible"]


@dataclass
class Team:
    clinician: Membership
    supervisor: Membership
    caregiver: Membership
    teacher: Membership
    child: Client


def make_team() -> Team:
    """One care team with a clinician and a supervisor, and a child (7 years old, real,
    not synthetic) whose caregiver and teacher are linked to the family page."""
    team = CareTeamFactory(name="Early years team")
    org = team.organisation

    def member(role: str, email: str) -> Membership:
        return MembershipFactory(organisation=org, role=role, user__email=email)

    people = Team(
        clinician=member(Role.CLINICIAN, "clinician@clinic.example"),
        supervisor=member(Role.SUPERVISOR, "supervisor@clinic.example"),
        caregiver=member(Role.VIEWER, "parent@family.example"),
        teacher=member(Role.VIEWER, "teacher@school.example"),
        child=ClientFactory(
            care_team=team,
            display_id="EY-0100",
            given_name="Maya",
            family_name="Okafor",
            birth_date=dt.date.today() - dt.timedelta(days=int(7.2 * 365.25)),
        ),
    )
    team.members.add(people.clinician, people.supervisor)
    system = Actor.system("tests")
    client_service.link_viewer(system, people.child, people.caregiver, kind=ViewerKind.CAREGIVER)
    client_service.link_viewer(system, people.child, people.teacher, kind=ViewerKind.TEACHER)
    return people


def open_as(browser: Browser, base: str, member: Membership, width: int = 1280) -> Page:
    """A new browser context signed in as ``member`` (session with a verified second factor)."""
    http = sign_in(HttpClient(), member.user)
    context = browser.new_context(viewport={"width": width, "height": 900})
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


class Keys:
    """Presses keys on a page and counts them."""

    def __init__(self, page: Page):
        self.page = page
        self.count = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)

    def tab_to(self, target: Locator, limit: int = 250) -> None:
        """Tab until ``target`` has the focus (keyboard only, as a user would)."""
        for _ in range(limit):
            if target.evaluate("e => e === document.activeElement"):
                return
            self.press("Tab")
        raise AssertionError(f"Tab never reached {target}")


def focused_path(page: Page) -> str | None:
    return page.evaluate(
        "() => { const f = document.activeElement.closest('[data-path]'); "
        "return f ? f.getAttribute('data-path') : null; }"
    )


def wait_saved(page: Page) -> None:
    page.wait_for_function(
        "() => /All changes saved/.test(document.getElementById('save-state').textContent)"
    )


def layout_ok(page: Page, width: int) -> None:
    """No sideways scrolling: the document is no wider than the window."""
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url}: {overflow} px wide at {width} px"


def check_page(page: Page, name: str, width: int = 1280) -> None:
    """Accessibility (axe: no serious or critical), no sideways scroll, optional screenshot."""
    page.wait_for_load_state("load")
    layout_ok(page, width)
    assert_accessible(page)
    if SHOTS:
        folder = Path(SHOTS)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def tile_status(page: Page, function_id: str) -> Any:
    return page.locator(f"#live-map rect[data-function='{function_id}']").first.get_attribute(
        "data-status"
    )
