"""In a real browser: sign in with two-factor, find a client, open an assessment, see the
map; axe-core finds no serious or critical accessibility violation on any page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from neuroseq.web.models import Role
from neuroseq.web.services.assessments import release
from neuroseq.web.services.audit import Actor

from ..factories import PASSWORD, CareTeamFactory, ClientFactory, MembershipFactory
from ..helpers import make_assessment, verified_device

AXE = Axe()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert not bad, f"{page.url}:\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in bad
    )


def code(device: Any) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def clinic(transactional_db: None) -> dict[str, Any]:
    team = CareTeamFactory(name="Early years team")
    org = team.organisation
    people = {
        role: MembershipFactory(organisation=org, role=role, user__email=f"{role}@clinic.example")
        for role in (Role.SUPERVISOR, Role.ORG_ADMIN, Role.VIEWER)
    }
    team.members.add(people[Role.SUPERVISOR])
    ClientFactory(care_team=team, display_id="EY-0001", given_name="Noah")
    child = ClientFactory(care_team=team, display_id="EY-0002", given_name="Maya", synthetic=True)
    child.viewers.add(people[Role.VIEWER])
    make_assessment(child, "signed", assessment_date="2025-09-15")
    signed = make_assessment(child, "signed")
    release(Actor.system("tests"), signed, by=people[Role.SUPERVISOR].user)
    return {"people": people, "child": child, "signed": signed}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_clinician_finds_a_client_and_sees_the_map(
    live_server: Any, page: Page, clinic: Any
) -> None:
    base = live_server.url
    device = verified_device(clinic["people"][Role.SUPERVISOR].user)
    sign_in(page, base, "supervisor@clinic.example")
    expect(page.get_by_role("heading", name="Enter your two-factor code")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Six-digit code from your authenticator app").fill(code(device))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search name or id").fill("maya")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 client found.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="EY-0002").click()

    expect(page.get_by_role("heading", name=re.compile("EY-0002: Maya"))).to_be_visible()
    expect(page.get_by_text("synthetic").first).to_be_visible()
    expect(page.get_by_role("heading", name="What changed since 2025-09-15")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Open the assessment").click()

    expect(
        page.get_by_role(
            "heading", name="Functional Brain Map beside a typical child of the same age"
        )
    ).to_be_visible()
    brain_map = page.locator("figure.map svg[role=img]").first
    expect(brain_map).to_be_visible()
    assert brain_map.bounding_box()["height"] > 100
    page.get_by_text("Explain Functional Score").click()
    expect(page.get_by_text("sum of weight x status").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/clients/{clinic['child'].pk}/family/")
    expect(page.get_by_role("heading", name="How far along each kind of skill is")).to_be_visible()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(
    live_server: Any, page: Page, clinic: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()


def test_enrolment_audit_log_and_members_pages(live_server: Any, page: Page, clinic: Any) -> None:
    base = live_server.url
    sign_in(page, base, "org_admin@clinic.example")
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=clinic["people"][Role.ORG_ADMIN].user)
    page.get_by_label("Six-digit code from your authenticator app").fill(code(device))
    page.get_by_role("button", name="Confirm").click()

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert_accessible(page)
    verify = page.get_by_role("button", name="Verify the hash chain (in the background)")
    expect(verify).to_be_visible()
    from django.db import connection

    if connection.vendor == "postgresql":
        # The job runs in a thread of the live server's process: only PostgreSQL takes that
        # (the in-memory SQLite test database refuses a second writer: "table is locked").
        verify.click()
        expect(page.get_by_role("heading", name="Verify the audit trail")).to_be_visible()
        assert_accessible(page)  # the job page while it runs, or done
        from neuroseq.web.jobs import in_process

        assert in_process.wait_for_all(30)
        # The page polls the job and reloads itself when it has finished.
        expect(page.get_by_text(re.compile("Hash chain intact"))).to_be_visible(timeout=30_000)
        assert_accessible(page)
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.get_by_role("heading", name="Your jobs")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    assert_accessible(page)


def test_viewer_sees_the_plain_page_only(live_server: Any, page: Page, clinic: Any) -> None:
    base = live_server.url
    sign_in(page, base, "viewer@clinic.example")
    expect(page.get_by_role("heading", name="Children linked to you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Maya").click()
    expect(page.get_by_role("heading", name="What helps")).to_be_visible()
    assert_accessible(page)
    response = page.goto(f"{base}/clients/{clinic['child'].pk}/")
    assert response is not None and response.status == 403
    assert_accessible(page)
