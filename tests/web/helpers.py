"""Helpers shared by the web tests (imported relatively: ``from .helpers import ...``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.test import Client as HttpClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.web.models import Assessment, CareTeam, Client, Membership, Role, User
from neuroseq.web.services import assessments
from neuroseq.web.services.audit import Actor


def example_inputs(**changes: Any) -> dict[str, Any]:
    """The worked example as a fresh dict (birth date 2016-03-14), with optional changes."""
    data = copy.deepcopy(WORKED_EXAMPLE)
    data.pop("synthetic")
    data.update(changes)
    return data


def verified_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def sign_in(http: HttpClient, user: User) -> HttpClient:
    """Signed in with a second factor, as after a real TOTP check."""
    http.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or verified_device(user)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return http


@dataclass
class World:
    members: dict[str, Membership]
    team1: CareTeam
    team2: CareTeam
    child1: Client  # team 1, viewer linked
    child2: Client  # team 2
    other_child: Client  # organisation B
    other: Membership  # supervisor of organisation B
    team2_clinician: Membership
    signed: Assessment
    draft: Assessment
    in_review: Assessment

    def user(self, role: str) -> User:
        return self.members[role].user


def make_assessment(client: Client, status: str, **changes: Any) -> Assessment:
    system = Actor.system("tests")
    a = assessments.create_draft(system, client, example_inputs(**changes))
    if status in {"in_review", "signed"}:
        a = assessments.submit(system, a)
    if status == "signed":
        signer = Membership.objects.filter(
            organisation=client.organisation, role=Role.SUPERVISOR
        ).first()
        a = assessments.sign(system, a, signer=signer.user)
    return a


def api_token(user: User, name: str = "tests", days: int = 30) -> str:
    """A fresh API token for ``user`` (through the real service)."""
    from neuroseq.web.services.api_tokens import create_token

    _, text = create_token(Actor(user, user.email), name, days)
    return text


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
