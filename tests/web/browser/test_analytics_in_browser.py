"""The analytics page and a drill-down list on a phone (390 px) and a laptop: no sideways
scrolling, axe-core clean (serious and critical)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from playwright.sync_api import Browser

from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.web.demo import follow_ups
from neuroseq.web.models import Role
from neuroseq.web.services import assessments
from neuroseq.web.services.audit import Actor

from ..factories import ClientFactory, MembershipFactory
from .support import check_page, make_team, open_as

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("width", [390, 1280])
def test_analytics_fits_a_phone_and_passes_axe(
    live_server: Any, browser: Browser, transactional_db: None, width: int
) -> None:
    team = make_team()
    system = Actor.system("tests")
    rng = random.Random(5)
    for record in iter_synthetic_assessments(12, seed=5):
        client = ClientFactory(
            care_team=team.child.care_team,
            display_id=record["client"]["pseudonym"],
            birth_date=dt.date.fromisoformat(record["client"]["birth_date"]),
            synthetic=True,
        )
        for r in [record, *follow_ups(record, 1, rng)]:
            marks = {} if r.get("adversities") else {"history": "none"}
            draft = assessments.create_draft(system, client, r, marks=marks)
            assessments.sign(system, assessments.submit(system, draft), signer=team.supervisor.user)
    admin = MembershipFactory(
        organisation=team.child.organisation, role=Role.ORG_ADMIN, user__email="a@x.example"
    )
    for member in (team.supervisor, admin):
        page = open_as(browser, live_server.url, member, width)
        response = page.goto(f"{live_server.url}/analytics/")
        assert response is not None and response.status == 200
        assert (
            page.get_by_role(
                "heading", name="Outcomes: first and latest assessment per client"
            ).count()
            == 1
        )
        check_page(page, f"analytics-{member.role}", width)
        page.goto(
            f"{live_server.url}/analytics/clients/?scope=functional_score&result=no+reliable+change"
        )
        check_page(page, f"analytics-clients-{member.role}", width)
        page.context.close()
