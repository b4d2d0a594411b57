"""Generated permission test: every URL pattern and every API operation x every role x own
organisation / other care team / other organisation (issue 10, finding 9).

Nothing here is written per route. The test walks ``urls.py`` (every URL pattern, including
each django-ninja API mounted there, read from its OpenAPI schema) and checks each route
against its declared permission, for anonymous visitors, platform staff and every role:

- a role the action's ``MATRIX`` row does not allow gets 403, whatever the id;
- an allowed role gets the page for its own records, 404 for another care team's (unless
  it sees the whole organisation) and 404 for another organisation's, exactly as for an
  id that does not exist: the answer never tells whether another organisation's id exists;
- no page or API answer a clinic role receives carries the other organisation's child;
- every refusal (403/404) is audited and changes nothing; every page an allowed role reads
  that shows a child writes an audit event naming that child.

How to declare a new route (a route without a declaration fails
``test_every_route_declares_its_permission``):

- a page view: decorate it with ``neuroseq.web.views.common.clinic_view("<action>")``; a new
  action goes into ``permissions.MATRIX``, docs/permissions.md and
  test_permission_matrix.py;
- an API operation: ``openapi_extra={"x-neuroseq-action": "<action>"}`` on the route
  decorator (``api.action("<action>")``), or ``{"x-neuroseq-public": True}``; every
  NinjaAPI mounted in urls.py is found through its URL patterns;
- a page anyone may open, or any signed-in account: its URL name in
  ``permissions.PUBLIC_ROUTES`` or ``permissions.ACCOUNT_ROUTES``.

A route parameter is filled from ``OBJECTS`` by its name and the first path segment (a
client's ``pk`` under ``clients/``); a parameter the table does not know fails the test
with a message saying where to add it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from neuroseq.training import load_vignettes
from neuroseq.web.models import (
    ApiToken,
    Assessment,
    AuditEvent,
    CareTeam,
    Client,
    Job,
    JobStatus,
    Membership,
    Role,
    User,
    VignetteAttempt,
)
from neuroseq.web.permissions import ACCOUNT_ROUTES, MATRIX, PUBLIC_ROUTES
from neuroseq.web.services import staffing as staffing_service
from neuroseq.web.services.audit import Actor
from neuroseq.web.services.certification import submit_attempt

from .factories import MembershipFactory, UserFactory
from .helpers import make_assessment, sign_in

MISSING_ID = 987_654_321
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
TEAM_SCOPED = {Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE, Role.VIEWER}
ROLES = ["anonymous", "staff", *Role.values]
SCOPES = ["own", "other_team", "other_org", "missing"]
NINJA_DOCS = {"openapi-json", "openapi-view"}


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, e.g. "client_detail" or "api:client_detail"
    path: str  # Django route or OpenAPI path, e.g. "clients/<int:pk>/"
    kind: str  # clinic, api, public, account, admin, undeclared
    action: str = ""
    method: str = "GET"
    params: tuple[str, ...] = field(default=())
    body: bool = False  # an API operation that validates a request body first

    @property
    def objects(self) -> tuple[str, ...]:
        return tuple(object_kind(self, p) for p in self.params)

    @property
    def names_records(self) -> bool:
        """Whether a parameter names a record (a choice such as an export kind does not)."""
        if self.kind not in {"clinic", "api"}:  # e.g. a token in a public link
            return False
        return any(kind != "value" for kind in self.objects)


#: (path segment just before the parameter, parameter name) -> kind of record (scopes keys)
OBJECT_KINDS = {
    ("clients", "pk"): "client",
    ("clients", "client_id"): "client",
    ("assessments", "pk"): "assessment",
    ("assessments", "assessment_id"): "assessment",
    ("viewers", "membership_pk"): "viewer",
    ("members", "pk"): "membership",
    ("teams", "team_pk"): "team",
    ("tokens", "pk"): "token",
    ("jobs", "pk"): "job",
    ("staffings", "staffing_id"): "staffing",
    ("attempts", "pk"): "attempt",
    ("trainees", "pk"): "membership",
}
#: Records that belong to one person, not to a care team: "own" is the asker's own record,
#: and anybody else's answers 404 whatever the role (an admin does not revoke others' tokens).
PERSONAL_KINDS = {"token", "job", "attempt"}
#: Parameters that name a choice, not a record, by (segment before it, name): the value
#: filled in every scope and, where the choice carries its own permission (a job kind), the
#: action the route checks for that value on top of its declared one.
VALUE_PARAMS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("exports", "kind"): ("scores", None),
    ("start", "kind"): ("cohort_scores", "export.cohort_scores"),
    ("edit", "step"): ("history", None),
    ("vignettes", "vignette_id"): ("early_neglect_toddler", None),
}


def _segment(route: Route, param: str) -> str:
    parts = [p for p in re.split(r"/", route.path) if p]
    for index, part in enumerate(parts):
        if re.match(rf"<(?:\w+:)?{param}>|{{{param}}}", part):
            return parts[index - 1] if index else ""
    return ""


def value_action(route: Route) -> str | None:
    """The extra action a choice parameter of ``route`` carries (e.g. a job kind's)."""
    for param in route.params:
        value = VALUE_PARAMS.get((_segment(route, param), param))
        if value is not None and value[1] is not None:
            return value[1]
    return None


def object_kind(route: Route, param: str) -> str:
    """Which kind of record a route parameter names, from the segment before it."""
    segment = _segment(route, param)
    if (segment, param) in VALUE_PARAMS:
        return "value"
    try:
        return OBJECT_KINDS[(segment, param)]
    except KeyError:
        raise AssertionError(
            f"{route.name}: the generated permission test cannot fill the parameter "
            f"{param!r} of {route.path!r}; add ({segment!r}, {param!r}) to OBJECT_KINDS and "
            "a record of that kind per scope to the scopes fixture"
        ) from None


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def _ninja_apis() -> Iterator[tuple[str, str, Any]]:
    """(URL prefix, namespace, NinjaAPI) for every django-ninja API mounted in urls.py."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.app_name == "ninja":
            for inner in pattern.url_patterns:
                api = getattr(inner.callback, "keywords", {}).get("api")
                if api is not None:
                    yield "/" + str(pattern.pattern).rstrip("/"), pattern.namespace, api
                    break


def collect_routes() -> list[Route]:
    routes: list[Route] = []
    ninja_namespaces = set()
    for prefix, namespace, api in _ninja_apis():
        ninja_namespaces.add(namespace)
        schema = api.get_openapi_schema(path_prefix=prefix)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                params = tuple(re.findall(r"{(\w+)}", path))
                if operation.get("x-neuroseq-public") is True:
                    kind, act = "public", ""
                elif operation.get("x-neuroseq-action"):
                    kind, act = "api", operation["x-neuroseq-action"]
                else:
                    kind, act = "undeclared", ""
                name = f"{namespace}:{operation.get('operationId', path)}"
                body = "requestBody" in operation
                routes.append(Route(name, path, kind, act, method.upper(), params, body))
    for path, namespace, pattern in _walk(get_resolver().url_patterns):
        params = tuple(pattern.pattern.converters) or tuple(re.findall(r"<(?:\w+:)?(\w+)>", path))
        name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or path)
        action = getattr(pattern.callback, "neuroseq_action", None)
        if namespace in ninja_namespaces:
            if pattern.name in NINJA_DOCS:
                routes.append(Route(name, path, "account"))
            elif pattern.name == "api-root":
                routes.append(Route(name, path, "public"))
            continue  # operations come from the OpenAPI schema above
        if namespace == "admin":
            routes.append(Route(name, path, "admin", params=params))
        elif action:
            routes.append(Route(name, path, "clinic", action, params=params))
        elif pattern.name in PUBLIC_ROUTES:
            routes.append(Route(name, path, "public", params=params))
        elif pattern.name in ACCOUNT_ROUTES:
            routes.append(Route(name, path, "account", params=params))
        else:
            routes.append(Route(name, path, "undeclared", params=params))
    return routes


ROUTES = collect_routes()
CHECKED = [r for r in ROUTES if r.kind in {"clinic", "api", "public", "account"}]
ADMIN = [r for r in ROUTES if r.kind == "admin"]


def test_every_route_declares_its_permission():
    undeclared = [f"{r.name} ({r.path})" for r in ROUTES if r.kind == "undeclared"]
    assert not undeclared, (
        "routes without a declared permission (see this file's docstring): " + ", ".join(undeclared)
    )
    unknown = {r.action for r in ROUTES if r.action and r.action not in MATRIX}
    assert not unknown, f"actions missing from permissions.MATRIX: {sorted(unknown)}"


def test_the_generator_sees_pages_api_and_admin():
    names = {r.name for r in ROUTES}
    assert {"client_detail", "assessment_sign", "members", "health"} <= names
    assert any(r.kind == "api" for r in ROUTES) and ADMIN


# -- the world: one record of each kind per scope ------------------------------------------


@dataclass
class Scopes:
    objects: dict[str, dict[str, Any]]
    users: dict[str, User | None]
    leaks: list[str]


@pytest.fixture
def scopes(world, tmp_path, settings) -> Scopes:
    settings.NEUROSEQ_JOB_DIR = tmp_path
    org_a = world.team1.organisation
    viewer2 = MembershipFactory(
        organisation=org_a, role=Role.VIEWER, user__email="v2@alpha.example"
    )
    world.child2.viewers.add(viewer2)
    org_b = world.other.organisation
    viewer_b = MembershipFactory(organisation=org_b, role=Role.VIEWER, user__email="v@beta.example")
    world.other_child.viewers.add(viewer_b)
    team_b = world.other_child.care_team
    trainee = world.members[Role.TRAINEE]
    objects = {
        "own": {
            "client": world.child1,
            "assessment": world.draft,
            "viewer": world.members[Role.VIEWER],
            "membership": trainee,
            "team": world.team1,
        },
        "other_team": {
            "client": world.child2,
            "assessment": make_assessment(world.child2, "draft"),
            "viewer": viewer2,
            "membership": world.team2_clinician,
            "team": world.team2,
        },
        "other_org": {
            "client": world.other_child,
            "assessment": make_assessment(world.other_child, "draft"),
            "viewer": viewer_b,
            "membership": world.other,
            "team": team_b,
        },
    }
    users: dict[str, User | None] = {role: world.user(role) for role in Role.values}
    users["anonymous"] = None
    users["staff"] = UserFactory(email="operator@platform.example", is_staff=True)
    objects["own"]["token"] = {
        role: _token(user) for role, user in users.items() if user is not None and role != "staff"
    }
    objects["other_team"]["token"] = _token(world.team2_clinician.user)
    objects["other_org"]["token"] = _token(world.other.user)
    objects["own"]["job"] = {
        role: _job(user, tmp_path)
        for role, user in users.items()
        if user is not None and role != "staff"
    }
    objects["other_team"]["job"] = _job(world.team2_clinician.user, tmp_path)
    objects["other_org"]["job"] = _job(world.other.user, tmp_path)
    # A staffing per scope, each led by someone of that scope (a lead sees their staffing).
    system = Actor.system("tests")
    for name, lead in (
        ("own", world.members[Role.SUPERVISOR].user),
        ("other_team", world.team2_clinician.user),
        ("other_org", world.other.user),
    ):
        assessment = objects[name]["assessment"]
        objects[name]["staffing"] = staffing_service.open_staffing(system, assessment, lead=lead)
    objects["own"]["attempt"] = {
        role: _attempt(user)
        for role, user in users.items()
        if role in {Role.SUPERVISOR, Role.CLINICIAN, Role.TRAINEE}
    }
    objects["other_team"]["attempt"] = _attempt(world.team2_clinician.user)
    objects["other_org"]["attempt"] = _attempt(world.other.user)
    leaks = [world.other_child.display_id, world.other_child.given_name, world.other.user.email]
    return Scopes(objects, users, leaks)


def _token(user: User) -> ApiToken:
    return ApiToken.objects.create(
        user=user,
        name="route test",
        prefix=f"t{user.pk}",
        digest="0" * 64,
        expires_at=timezone.now() + timedelta(days=1),
    )


def _attempt(user: User) -> VignetteAttempt:
    """A vignette attempt of ``user`` (personal: only its owner, or a trainer, reads it)."""
    vignette = load_vignettes()[0]
    return submit_attempt(
        Actor(user, user.email),
        vignette_id=vignette.id,
        version=vignette.version,
        ratings=vignette.key_statuses,
    )


def _job(user: User, job_dir: Path) -> Job:
    """A finished job with a result file (the job folder is the test's own)."""
    (job_dir / f"{user.pk}.csv").write_text("a,b\n", encoding="utf-8")
    return Job.objects.create(
        kind="cohort_scores",
        owner=user,
        organisation=user.membership.organisation,
        status=JobStatus.SUCCEEDED,
        result_name="result.csv",
        result_path=f"{user.pk}.csv",
        result_type="text/csv",
        result_size=4,
    )


def _url(route: Route, scope: Scopes, name: str, role: str = "") -> str:
    path = route.path if route.path.startswith("/") else "/" + route.path
    if route.kind in {"public", "account"}:  # e.g. a token: any value will do
        return re.sub(r"<(?:\w+:)?\w+>|{\w+}", "not-a-real-token", path)
    for param, kind in zip(route.params, route.objects, strict=True):
        if kind == "value":
            value = VALUE_PARAMS[(_segment(route, param), param)][0]
            path = re.sub(rf"<(?:\w+:)?{param}>|{{{param}}}", value, path)
            continue
        record = None if name == "missing" else scope.objects[name][kind]
        if isinstance(record, dict):  # a personal record: the asker's own
            record = record.get(role)
        missing = MISSING_UUID if f"<uuid:{param}>" in path else MISSING_ID
        value = missing if record is None else record.pk
        path = re.sub(rf"<(?:\w+:)?{param}>|{{{param}}}", str(value), path)
    return path


def _fingerprint() -> tuple[Any, ...]:
    return (
        list(Client.objects.order_by("pk").values_list("pk", "given_name", "version", "care_team")),
        list(Assessment.objects.order_by("pk").values_list("pk", "status", "version")),
        list(Membership.objects.order_by("pk").values_list("pk", "role", "is_active")),
        sorted(CareTeam.members.through.objects.values_list("careteam_id", "membership_id")),
        sorted(Client.viewers.through.objects.values_list("client_id", "membership_id")),
        list(User.objects.order_by("pk").values_list("pk", "password", "is_active")),
        len(mail.outbox),
    )


def _request(http: HttpClient, route: Route, url: str) -> Any:
    if route.method != "GET":
        data = "{}" if route.body else ""
        return http.generic(route.method, url, data, content_type="application/json")
    response = http.get(url)
    if response.status_code == 405:  # a POST-only page (require_POST comes first)
        response = http.post(url, {})
    return response


def _expected(route: Route, role: str, scope: str) -> str:
    """What a role may get: "public", "login", "forbidden", "not_found" or "allowed"."""
    if route.kind == "public":
        return "public"  # any answer but a server error (ninja's api-root is always a 404)
    if role == "anonymous":
        return "login"
    if route.kind == "account":
        return "allowed"
    extra = value_action(route)
    if role == "staff" or role not in MATRIX[route.action] or (extra and role not in MATRIX[extra]):
        return "forbidden"
    if not route.names_records or scope == "own":
        return "allowed"
    if scope in {"other_org", "missing"} or PERSONAL_KINDS & set(route.objects):
        return "not_found"
    team_scoped = {"client", "assessment", "viewer", "staffing"} & set(route.objects)
    return "not_found" if team_scoped and role in TEAM_SCOPED else "allowed"


def _check(route: Route, role: str, scope: str, response: Any) -> None:
    status = response.status_code
    where = f"{route.name} as {role}, {scope}: {status}"
    expected = _expected(route, role, scope)
    assert status < 500, where
    if expected == "login":
        assert status in {302, 401, 405}, where
        if status == 302:
            assert "/accounts/login/" in response["Location"], where
    elif expected == "forbidden":
        # django-ninja validates a request body before the operation checks the role: an
        # empty body is refused as 422 whatever the id, which reveals nothing either.
        assert status == 403 or (route.body and status == 422), where
    elif expected == "not_found":
        assert status == 404 or (route.body and status == 422), where
    elif expected == "allowed":
        assert status not in {401, 403, 404}, where


@pytest.mark.slow
@pytest.mark.parametrize("route", CHECKED, ids=lambda r: r.name)
def test_route(route, scopes):
    clients = {}
    for role in ROLES:
        http = HttpClient()
        user = scopes.users[role]
        if user is not None:
            sign_in(http, user)
        clients[role] = http
    cases = SCOPES if route.names_records and route.kind in {"clinic", "api"} else ["own"]
    for role in ROLES:
        statuses = {}
        for scope in cases:
            with transaction.atomic():
                before, events = _fingerprint(), AuditEvent.objects.count()
                seqs = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)
                first_seq = seqs.first()
                url = _url(route, scopes, scope, role)
                response = _request(clients[role], route, url)
                _check(route, role, scope, response)
                statuses[scope] = response.status_code
                new = AuditEvent.objects.filter(seq__gt=first_seq or 0)
                refused = response.status_code in {403, 404}
                if refused and role != "anonymous" and route.kind in {"clinic", "api"}:
                    assert _fingerprint() == before, f"{route.name} as {role}, {scope} changed data"
                    assert new.filter(action="access.denied").exists(), (
                        f"{route.name} as {role}, {scope}: refusal not audited"
                    )
                if response.status_code == 200 and route.kind in {"clinic", "api"}:
                    raw = (
                        b"".join(response.streaming_content)
                        if response.streaming
                        else response.content
                    )
                    body = raw.decode(errors="replace")
                    for text in scopes.leaks:
                        assert text not in body, f"{route.name} as {role}, {scope} shows {text!r}"
                    child_kinds = {"client", "assessment"} & set(route.objects)
                    if child_kinds and route.method == "GET":
                        kind = "client" if "client" in child_kinds else "assessment"
                        record = scopes.objects[scope][kind]
                        child = record if kind == "client" else record.client
                        assert new.filter(client=child).exists(), (
                            f"{route.name} as {role}: a read of {child} is not audited"
                        )
                assert events <= AuditEvent.objects.count()
                mail.outbox.clear()
                transaction.set_rollback(True)
        if route.names_records and "missing" in statuses:
            assert statuses["other_org"] == statuses["missing"], (
                f"{route.name} as {role}: another organisation's id answers "
                f"{statuses['other_org']}, a missing id {statuses['missing']}"
            )


@pytest.mark.slow
def test_the_admin_is_for_platform_staff_only(scopes):
    """Every admin URL, every role: nobody but platform staff gets an admin page."""
    for role in ["anonymous", *Role.values]:
        http = HttpClient()
        if scopes.users[role] is not None:
            sign_in(http, scopes.users[role])
        for route in ADMIN:
            url = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route.path)
            response = http.get(url)
            assert response.status_code in {302, 403, 404}, f"{route.name} as {role}"
            if response.status_code == 302:  # to sign in, or the admin's own redirects
                assert response["Location"].startswith(("/admin/", "/accounts/login/"))
                assert role == "anonymous" or http.get(response["Location"]).status_code != 200
    staff = sign_in(HttpClient(), scopes.users["staff"])
    assert staff.get("/admin/").status_code == 200
