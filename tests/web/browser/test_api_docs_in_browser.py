"""The interactive API docs run under the site's Content-Security-Policy (issue 10, finding 8):
every asset comes from our own static files and the browser reports no CSP violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from neuroseq.web.models import Role

from ..factories import PASSWORD, MembershipFactory


@pytest.mark.parametrize(
    ("docs", "operation"),
    [("/api/docs", "/api/clients/{client_id}"), ("/api/v1/docs", "/api/v1/clients/{client_id}")],
)
def test_swagger_ui_renders_the_operations_without_csp_violations(
    live_server: Any, page: Page, transactional_db: None, docs: str, operation: str
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
    page.goto(f"{live_server.url}{docs}")
    expect(page.get_by_text(operation).first).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert outside == []
