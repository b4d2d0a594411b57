"""Settings from the environment; ``check --deploy`` is clean with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(args, env_changes, tmp_path):
    ignored = {"DEBUG", "NEUROSEQ_DEMO", "DATABASE_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update({"NEUROSEQ_VAR_DIR": str(tmp_path), **env_changes})
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


PRODUCTION = {
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-4f9a2c7e1b",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "clinic.example.org",
    "NEUROSEQ_HTTPS": "1",
    "NEUROSEQ_AUDIT_KEYS": "k1:" + "a" * 20 + "-audit-key-from-the-secret-store-7c1e",
}


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_when_the_audit_key_is_a_local_file(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "NEUROSEQ_AUDIT_KEYS"}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode != 0 and "neuroseq.W001" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("k1:short", "has 5 characters; expected at least 32"),
        ("no-separator", "expected id:secret pairs"),
        ("k1:" + "x" * 40 + ",k1:" + "y" * 40, "appears twice"),
    ],
)
def test_a_bad_audit_key_setting_names_the_variable(tmp_path, monkeypatch, value, message):
    from django.core.exceptions import ImproperlyConfigured

    from neuroseq.web.env import audit_keys

    monkeypatch.setenv("NEUROSEQ_AUDIT_KEYS", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        audit_keys(tmp_path)


def test_audit_keys_rotate_with_the_first_one_current(tmp_path, monkeypatch):
    from neuroseq.web.env import audit_keys

    monkeypatch.setenv("NEUROSEQ_AUDIT_KEYS", "k2:" + "n" * 40 + ", k1:" + "o" * 40)
    keys, current, source = audit_keys(tmp_path)
    assert current == "k2" and set(keys) == {"k1", "k2"} and source == "environment"
    monkeypatch.delenv("NEUROSEQ_AUDIT_KEYS")
    keys, current, source = audit_keys(tmp_path)
    assert current == "local" and source == "file"
    assert (tmp_path / "audit_key").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_check_deploy_flags_debug(tmp_path):
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "DEBUG": "1"}, tmp_path
    )
    assert result.returncode != 0 and "DEBUG" in result.stderr


@pytest.mark.slow
def test_a_bad_boolean_names_the_variable(tmp_path):
    result = run_manage(["check"], {"NEUROSEQ_DEMO": "maybe"}, tmp_path)
    assert result.returncode != 0
    assert "NEUROSEQ_DEMO: expected one of 1/0, true/false, yes/no; got 'maybe'" in result.stderr


def test_secret_key_file_is_created_once_and_private(tmp_path, monkeypatch):
    from neuroseq.web.env import secret_key

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 50 and secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_sqlite_defaults(settings):
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("running on PostgreSQL")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5


@pytest.mark.slow
def test_email_goes_to_the_console_in_the_demo_and_over_smtp_in_production(tmp_path):
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_HOST)"
    demo = run_manage(["shell", "-v", "0", "-c", code], {"NEUROSEQ_DEMO": "1"}, tmp_path)
    assert demo.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"
    production = {**PRODUCTION, "EMAIL_HOST": "smtp.example.org"}
    prod = run_manage(["shell", "-v", "0", "-c", code], production, tmp_path)
    assert prod.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.org",
    ]
