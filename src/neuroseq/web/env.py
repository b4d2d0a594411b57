"""Reading settings from environment variables, with errors that name the variable."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected one of 1/0, true/false, yes/no; got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None


def secret_key(var_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, else a random key kept in ``var/secret_key``.

    The file makes a laptop install and the test suite work with no setup while keeping
    sessions valid across restarts; production sets ``SECRET_KEY`` (see docs/deployment.md).
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        tmp = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(64))
        try:
            os.link(tmp, path)  # atomic: concurrent first runs agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


AUDIT_KEY_MIN_LENGTH = 32


def audit_keys(var_dir: Path) -> tuple[dict[str, bytes], str, str]:
    """(keys by id, current key id, where they came from) for the audit chain's HMAC.

    ``NEUROSEQ_AUDIT_KEYS="k2:<secret>,k1:<older secret>"``: the first is used for new
    events, the others still verify older events after a rotation. Without the variable, a
    random key is generated once into ``var/audit_key`` (like the secret key), which keeps a
    laptop and the tests working; ``check --deploy`` warns about it (docs/security.md).
    """
    raw = os.environ.get("NEUROSEQ_AUDIT_KEYS")
    if raw is None:
        path = var_dir / "audit_key"
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            tmp = var_dir / f".audit_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return {"local": path.read_text(encoding="ascii").strip().encode()}, "local", "file"
    keys: dict[str, bytes] = {}
    for entry in (e.strip() for e in raw.split(",")):
        key_id, sep, secret = entry.partition(":")
        if not sep or not key_id.isidentifier() or len(key_id) > 20:
            raise ImproperlyConfigured(
                "NEUROSEQ_AUDIT_KEYS: expected id:secret pairs separated by commas "
                "(ids are letters, digits and _), e.g. k2:<secret>,k1:<older secret>"
            )
        if len(secret) < AUDIT_KEY_MIN_LENGTH:
            raise ImproperlyConfigured(
                f"NEUROSEQ_AUDIT_KEYS: the secret of {key_id!r} has {len(secret)} characters; "
                f"expected at least {AUDIT_KEY_MIN_LENGTH} random characters"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"NEUROSEQ_AUDIT_KEYS: key id {key_id!r} appears twice")
        keys[key_id] = secret.encode()
    if not keys:
        raise ImproperlyConfigured("NEUROSEQ_AUDIT_KEYS: set but empty")
    return keys, next(iter(keys)), "environment"
