"""Create, revoke and check personal API tokens; creation and revocation are audited.

A token is ``nsq_<prefix>_<secret>``: the prefix finds the row, the SHA-256 digest of the
whole token is compared in constant time. The token is high-entropy (256 random bits), so
a fast hash is the right tool (a password hash adds nothing but latency per request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from neuroseq.web.models import ApiToken, User
from neuroseq.web.permissions import membership_of, require
from neuroseq.web.services.audit import Actor, record

PREFIX = "nsq_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per token per minute


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(actor: Actor, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for the actor; returns the row and the token text (shown once)."""
    user = actor.user
    if user is None:
        raise ValueError("user: API tokens belong to a person")
    require(user, "api.tokens")
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = "give the token a name of 1-80 characters (e.g. the system using it)"
    limit = settings.NEUROSEQ_API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= limit:
        errors["expires_in_days"] = f"expected a whole number of days from 1 to {limit}"
    if errors:
        raise ValidationError(errors)
    prefix = secrets.token_hex(6)
    text = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            digest=_digest(text),
            expires_at=timezone.now() + timedelta(days=days),
        )
        record(
            actor,
            "api_token.create",
            object_type="api_token",
            object_id=token.pk,
            details={"name": name, "prefix": prefix, "expires_at": token.expires_at},
        )
    return token, text


def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens (someone else's answers as not found)."""
    if actor.user is None or token.user_id != actor.user.pk:
        raise ValidationError({"token": "no such token"})
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            record(
                actor,
                "api_token.revoke",
                object_type="api_token",
                object_id=locked.pk,
                details={"name": locked.name, "prefix": locked.prefix},
            )
    return locked


def user_for_token(text: str) -> User | None:
    """The active user behind a valid, unexpired, unrevoked token, else None."""
    if not text.startswith(PREFIX) or len(text) > 200:
        return None
    prefix = text[len(PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(text)):
        return None
    if not token.is_usable or membership_of(token.user) is None:
        return None  # revoked, expired, or the user / membership was deactivated
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
