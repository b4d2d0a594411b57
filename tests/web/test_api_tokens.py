"""Token lifecycle: shown once, hashed at rest, revoked / expired / deactivated fail."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from django.utils import timezone

from neuroseq.web.models import ApiToken, AuditEvent, Role

from .factories import MembershipFactory
from .helpers import api_token, bearer, sign_in

TOKEN = re.compile(r'value="(nsq_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"')


def works(http, token: str) -> bool:
    response = http.get("/api/v1/clients", **bearer(token))
    assert response.status_code in {200, 401}, response.status_code
    return response.status_code == 200


def test_created_on_the_profile_page_shown_once_and_hashed(world, http):
    user = world.user(Role.CLINICIAN)
    sign_in(http, user)
    page = http.post("/account/tokens/", {"name": "REDCap sync", "expires_in_days": 30})
    assert page.status_code == 200
    (text,) = TOKEN.findall(page.content.decode())
    row = ApiToken.objects.get(user=user)
    assert row.digest == hashlib.sha256(text.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().first().values()]
    assert all(text not in value for value in stored)  # only prefix and digest at rest
    listing = http.get("/account/tokens/").content.decode()
    assert "REDCap sync" in listing and f"nsq_{row.prefix}" in listing and text not in listing
    assert AuditEvent.objects.filter(action="api_token.create", actor=user).exists()
    http.logout()
    assert works(http, text)
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_bad_token_forms_are_refused(world, http):
    sign_in(http, world.user(Role.CLINICIAN))
    for data in (
        {"name": "", "expires_in_days": 3},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 10_000},
        {"name": "x" * 81, "expires_in_days": 3},
    ):
        response = http.post("/account/tokens/", data)
        assert response.status_code == 400 and "No token was created" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoked_token_fails_and_only_the_owner_revokes(world, http):
    user = world.user(Role.CLINICIAN)
    text = api_token(user)
    row = ApiToken.objects.get(user=user)
    sign_in(http, world.user(Role.SUPERVISOR))
    assert http.post(f"/account/tokens/{row.pk}/revoke/").status_code == 404
    assert works(http, text)
    sign_in(http, user)
    assert http.post(f"/account/tokens/{row.pk}/revoke/").status_code == 302
    http.logout()
    assert not works(http, text)
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(row.pk)).exists()


def test_expired_token_fails(world, http):
    text = api_token(world.user(Role.CLINICIAN))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not works(http, text)


def test_tokens_of_deactivated_users_or_memberships_fail(world, http):
    clinician, supervisor = world.members[Role.CLINICIAN], world.members[Role.SUPERVISOR]
    first, second = api_token(clinician.user), api_token(supervisor.user)
    assert works(http, first) and works(http, second)
    clinician.user.is_active = False
    clinician.user.save()
    supervisor.is_active = False
    supervisor.save()
    assert not works(http, first) and not works(http, second)


def test_forged_and_foreign_tokens_fail(world, http):
    text = api_token(world.user(Role.CLINICIAN))
    prefix = text[: len("nsq_") + 12]
    for forged in (
        prefix + "_" + "A" * 43,
        text[:-1] + ("A" if text[-1] != "A" else "B"),
        "nsq_",
        "Bearer",
        "x" * 500,
    ):
        assert not works(http, forged)
    membership = MembershipFactory(role=Role.CLINICIAN)  # another organisation
    other = api_token(membership.user)
    assert http.get(f"/api/v1/clients/{world.child1.pk}", **bearer(other)).status_code == 404
