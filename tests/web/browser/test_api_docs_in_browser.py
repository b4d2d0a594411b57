"""The interactive API docs run under the site's Content-Security-Policy (issue 10, finding 8):
every asset comes from our own static files and the browser reports no CSP violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from neuroseq.web.models import Role

from ..factories import PASSWORD, MembershipFactory


def test_swagger_ui_renders_the_operations_without_csp_violations(
    live_server: Any, page: Page, transactional_db: None
) -> None:
    MembershipFactory(role=Role.VIEWER, user__email="reader@clinic.example")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("reader@clinic.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/api/docs")
    expect(page.get_by_text("/api/clients/{client_id}").first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert outside == []
