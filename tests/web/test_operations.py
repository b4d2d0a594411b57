"""Operations details (issue 10, finding 8): health over HTTP, seed_demo only in demo mode,
the API docs served from the app's own static files so the CSP lets them run."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from neuroseq.web.models import Organisation, Role, User

from .helpers import sign_in


def test_health_answers_200_over_plain_http_when_https_is_enforced(db, http, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = http.get("/health/")
    assert response.status_code == 200 and response.content == b"ok"
    # Everything else still goes to HTTPS.
    assert http.get("/accounts/login/").status_code == 301


def test_seed_demo_refuses_outside_demo_mode(db, settings):
    settings.DEMO = False
    with pytest.raises(CommandError, match="NEUROSEQ_DEMO=1"):
        call_command("seed_demo", clients_per_org=1, stdout=io.StringIO())
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_api_docs_load_every_asset_from_our_own_static_files(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    response = http.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html and "https://" not in html
    assert "<script>" not in html  # no inline script: the CSP allows scripts from 'self' only
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        served = http.get(asset)
        assert served.status_code == 200, asset
        b"".join(served.streaming_content)
