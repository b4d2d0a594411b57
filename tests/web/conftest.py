"""Fixtures for the web tests: fast test settings, a two-organisation world, sign-in helpers.

The world is the alice/bob/charlie cast of the permission tests: organisation A has one
member per role (clinical ones in team 1), a clinician who is only in team 2, and a
viewer linked to one child; organisation B has its own supervisor and child.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client as HttpClient
from django.test.utils import override_settings

from neuroseq.web.models import Role

from .factories import CareTeamFactory, ClientFactory, MembershipFactory, OrganisationFactory
from .helpers import World, make_assessment, sign_in


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/web" in str(item.path):
            item.add_marker(pytest.mark.db)


TEST_SETTINGS = {
    # Plain HTTP for the test client and the live server (the production defaults redirect
    # to HTTPS), unhashed static names (no collectstatic), a fast password hasher.
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "DEMO": False,
    "STATIC_ROOT": None,
    "WHITENOISE_USE_FINDERS": True,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@pytest.fixture(scope="session", autouse=True)
def _web_settings() -> Iterator[None]:
    """Session-wide, so the live server's middleware is built with these settings too."""
    with override_settings(**TEST_SETTINGS):
        yield


@pytest.fixture(scope="session", autouse=True)
def _flush_around_append_only_triggers() -> Iterator[None]:
    """Django empties the test database after each transactional test (the browser tests)
    with DELETE on SQLite and TRUNCATE on PostgreSQL, which the append-only triggers refuse.
    The flush steps around them, in its own transaction, exactly as ``audit_rekey`` does."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from neuroseq.web import triggers

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self, sql_list):  # type: ignore[no-untyped-def]
        vendor = self.connection.vendor
        statements = [*triggers.suspend_sql(vendor), *sql_list, *triggers.restore_sql(vendor)]
        return original(self, statements)

    BaseDatabaseOperations.execute_sql_flush = flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture
def world(db: None) -> World:
    org = OrganisationFactory(name="Alpha clinic", slug="alpha")
    team1 = CareTeamFactory(organisation=org, name="Team one")
    team2 = CareTeamFactory(organisation=org, name="Team two")
    members = {}
    for role in Role.values:
        members[role] = MembershipFactory(
            organisation=org, role=role, user__email=f"{role}@alpha.example"
        )
        if role in {Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE}:
            team1.members.add(members[role])
    team2_clinician = MembershipFactory(
        organisation=org, role=Role.CLINICIAN, user__email="team2@alpha.example"
    )
    team2.members.add(team2_clinician)
    child1 = ClientFactory(
        care_team=team1, display_id="A-0001", given_name="Alice", family_name="Quillfeather"
    )
    child1.viewers.add(members[Role.VIEWER])
    child2 = ClientFactory(care_team=team2, display_id="A-0002", given_name="Bob")
    org_b = OrganisationFactory(name="Beta clinic", slug="beta")
    team_b = CareTeamFactory(organisation=org_b, name="Team beta")
    other = MembershipFactory(
        organisation=org_b, role=Role.SUPERVISOR, user__email="supervisor@beta.example"
    )
    team_b.members.add(other)
    other_child = ClientFactory(care_team=team_b, display_id="B-0001", given_name="Charlie")
    return World(
        members=members,
        team1=team1,
        team2=team2,
        child1=child1,
        child2=child2,
        other_child=other_child,
        other=other,
        team2_clinician=team2_clinician,
        signed=make_assessment(child1, "signed"),
        draft=make_assessment(child1, "draft", assessment_date="2026-06-01"),
        in_review=make_assessment(child1, "in_review", assessment_date="2026-07-01"),
    )


@pytest.fixture
def http() -> HttpClient:
    return HttpClient()


@pytest.fixture
def as_role(world: World, http: HttpClient):  # type: ignore[no-untyped-def]
    """``as_role("clinician")`` -> an HTTP client signed in as that member of organisation A."""

    def login(role: str) -> HttpClient:
        return sign_in(http, world.user(role))

    return login
