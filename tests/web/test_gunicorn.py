"""The documented gunicorn command serves the app as behind a TLS-terminating proxy.

Starts gunicorn on a free port (with the settings module docs/deployment.md names), on a
scratch PostgreSQL database in the PostgreSQL pass and on a SQLite file otherwise, and
checks: /health/, the HTTPS redirect for a request the proxy did not mark as HTTPS,
hashed static files from whitenoise, signing in and a signed-in page, and the client
address the audit trail records from X-Forwarded-For.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest

from neuroseq.web import localserve
from neuroseq.web.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deployment.md"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_docs_give_the_command_the_test_runs():
    assert "gunicorn " + " ".join(localserve.GUNICORN_ARGS) in DOC.read_text(encoding="utf-8")


@pytest.fixture
def server(tmp_path):
    port = free_port()
    base_pg = os.environ.get("DATABASE_URL", "")
    if base_pg.startswith("postgres"):
        parts = urlsplit(base_pg)
        database_url = parts._replace(path=parts.path + "_gunicorn_test").geturl()
        localserve.drop_database(database_url)
        localserve.ensure_database(database_url)
    else:
        database_url = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    env = localserve.server_env(database_url, f"127.0.0.1:{port}", tmp_path)
    env.update(
        {
            "NEUROSEQ_HTTPS": "1",
            "SECRET_KEY": "test-only-" + "x" * 50,
            "WEB_CONCURRENCY": "2",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
            "NEUROSEQ_TRUSTED_PROXIES": "127.0.0.1",
            "GUNICORN_ACCESS_LOG": "/dev/null",
        }
    )
    localserve.prepare(env, clients_per_org=2, out=open(os.devnull, "w"))  # noqa: SIM115
    processes = localserve.start(env)
    try:
        base = f"http://127.0.0.1:{port}"
        localserve.wait_until_up(base, timeout=60)
        yield base, database_url
    finally:
        localserve.stop(processes)
        if database_url.startswith("postgres"):
            localserve.drop_database(database_url)


def _cookies(response: httpx.Response, jar: dict[str, str]) -> dict[str, str]:
    """Keep cookies by hand: they are Secure, and this client talks plain HTTP to gunicorn."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def _cookie(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


@pytest.mark.slow
def test_gunicorn_serves_the_clinic_behind_a_proxy(server):
    base, database_url = server
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as http:
        health = http.get("/health/")  # a load balancer's probe, straight to gunicorn
        assert (health.status_code, health.text) == (200, "ok")
        plain = http.get("/accounts/login/")  # not marked HTTPS by the proxy
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")

        login = http.get("/accounts/login/", headers=PROXY)
        assert login.status_code == 200
        css = re.search(r'href="(/static/neuroseq/site\.[0-9a-f]{12}\.css)"', login.text)
        assert css, "hashed static file names (collectstatic + manifest)"
        static = http.get(css.group(1), headers=PROXY)
        assert static.status_code == 200 and "max-age=315360000" in static.headers["cache-control"]

        jar = _cookies(login, {})
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        signed_in = http.post(
            "/accounts/login/",
            data={
                "username": "clinician@riverside.example",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            headers={
                **PROXY,
                **_cookie(jar),
                "Referer": f"https://127.0.0.1:{base.rsplit(':', 1)[1]}/",
            },
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        assert "secure" in signed_in.headers["set-cookie"].lower()
        jar = _cookies(signed_in, jar)
        page = http.get("/clients/", headers={**PROXY, **_cookie(jar)})
        assert page.status_code == 200
        assert "Clients" in page.text and "RS-" in page.text and "synthetic" in page.text.lower()

    query = "SELECT ip_address FROM clinic_auditevent WHERE action = 'auth.login' ORDER BY seq"
    if database_url.startswith("postgres"):
        with psycopg.connect(database_url) as conn:
            addresses = [str(row[0]) for row in conn.execute(query)]
    else:
        with sqlite3.connect(urlsplit(database_url).path) as conn:
            addresses = [row[0] for row in conn.execute(query)]
    assert addresses[-1] == "203.0.113.9"
