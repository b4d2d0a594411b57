"""API authentication: a personal bearer token, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from neuroseq.web.services.api_tokens import user_for_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer nsq_...``; the request then acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


class Session(SessionAuth):
    """Signed-in browser session; unsafe methods need the CSRF token, as on the pages."""


AUTH = [TokenAuth(), Session()]
