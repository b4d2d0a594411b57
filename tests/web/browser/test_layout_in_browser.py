"""Every page of the flow on a phone (390 px): no sideways scrolling (the document's
``scrollWidth`` is the window's), and axe-core finds no serious or critical violation.
On a laptop (1280 px) the typical-child comparison is large enough to read: its tile text
is drawn at 11 px or more."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from neuroseq.web.models import Role
from neuroseq.web.services import assessments as service
from neuroseq.web.services.audit import Actor

from ..factories import MembershipFactory
from ..helpers import make_assessment
from .support import check_page, make_team, open_as

pytestmark = pytest.mark.slow
PHONE = 390


@pytest.fixture
def record(transactional_db: None) -> Any:
    """A child with two signed assessments six months apart (one shared with the family),
    one in review and one draft; the worked example's child (born 2016-03-14)."""
    team = make_team()
    team.child.birth_date = dt.date(2016, 3, 14)
    team.child.save()
    older = make_assessment(team.child, "signed", assessment_date="2025-09-15")
    newer = make_assessment(team.child, "signed")
    service.release(Actor(team.clinician.user, "c"), newer)
    in_review = make_assessment(team.child, "in_review", assessment_date="2026-04-01")
    draft = make_assessment(team.child, "draft", assessment_date="2026-05-01")
    admin = MembershipFactory(
        organisation=team.child.organisation, role=Role.ORG_ADMIN, user__email="admin@x.example"
    )
    return {
        "team": team,
        "older": older,
        "newer": newer,
        "review": in_review,
        "draft": draft,
        "admin": admin,
    }


def visit(page: Page, url: str, name: str, width: int = PHONE) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    check_page(page, name, width)


def test_every_page_of_the_flow_fits_a_phone_and_passes_axe(
    live_server: Any, browser: Browser, record: Any
) -> None:
    base = live_server.url
    team, child = record["team"], record["team"].child
    draft, signed, review = record["draft"], record["newer"], record["review"]
    clinician = open_as(browser, base, team.clinician, PHONE)
    for path, name in [
        ("/clients/", "clients"),
        (f"/clients/{child.pk}/", "client"),
        (f"/clients/{child.pk}/assessments/new/", "start"),
        (f"/clients/{child.pk}/assessments/import/", "import"),
        (f"/clients/{child.pk}/progress/", "progress"),
        (f"/clients/{child.pk}/family/", "family-preview"),
        (f"/assessments/{draft.pk}/edit/", "task-list"),
        *(
            (f"/assessments/{draft.pk}/edit/{step}/", step)
            for step in (
                "details",
                "history",
                "relational-history",
                "current-relational",
                "functional",
                "review",
            )
        ),
        (f"/assessments/{signed.pk}/", "assessment"),
        *(
            (f"/assessments/{signed.pk}/plan/?audience={who}", f"plan-{who}")
            for who in ("clinician", "caregiver", "teacher")
        ),
    ]:
        visit(clinician, base + path, name)
    supervisor = open_as(browser, base, team.supervisor, PHONE)
    visit(supervisor, f"{base}/assessments/{review.pk}/sign/", "sign")
    for member, name in ((team.caregiver, "caregiver"), (team.teacher, "teacher")):
        viewer = open_as(browser, base, member, PHONE)
        visit(viewer, f"{base}/children/", f"children-{name}")
        visit(viewer, f"{base}/clients/{child.pk}/family/", f"family-{name}")
    admin = open_as(browser, base, record["admin"], PHONE)
    visit(admin, f"{base}/audit/", "audit")
    visit(admin, f"{base}/members/", "members")
    visit(admin, f"{base}/exports/", "exports")
    visit(admin, f"{base}/jobs/", "jobs")


def test_typical_comparison_is_readable_on_a_laptop_and_stacks_on_a_phone(
    live_server: Any, browser: Browser, record: Any
) -> None:
    url = f"{live_server.url}/assessments/{record['newer'].pk}/"
    sizes = {}
    for width in (1280, PHONE):
        page = open_as(browser, live_server.url, record["team"].clinician, width)
        page.goto(url)
        pair = page.locator(".map-pair figure")
        boxes = [pair.nth(i).bounding_box() for i in range(pair.count())]
        assert len(boxes) == 2 and boxes[1]["y"] >= boxes[0]["y"] + boxes[0]["height"]
        sizes[width] = page.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.map-pair g.function text')]
                 .map(t => t.getBoundingClientRect().height)
                 .filter(h => h > 0))"""
        )
        outlined = page.locator(".map-pair figure").first.locator("rect.vs-typical").count()
        assert outlined > 0  # differences from the typical child are marked
    # A text box is about 1.15 x the font size: 11 px text is at least 12.6 px tall.
    assert sizes[1280] >= 11 * 1.15, sizes
