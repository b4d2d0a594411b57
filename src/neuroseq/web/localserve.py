"""``make serve``: the production server (gunicorn, PostgreSQL, whitenoise) on this machine.

    python -m neuroseq.web.localserve [--database-url URL] [--bind HOST:PORT]

Creates the PostgreSQL database if it is missing, migrates it, seeds the labelled-synthetic
demo if it is empty, collects the static files, then runs gunicorn with the documented
settings (and a Celery worker when ``REDIS_URL`` is set) until interrupted. Demo mode is on
(demo logins, the synthetic-data banner) and HTTPS is off: this is for trying the
production stack on a laptop, never for real records.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

GUNICORN_ARGS = ["neuroseq.web.wsgi:application", "--config", "python:neuroseq.web.gunicorn_conf"]
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/neuroseq_serve"
ROOT = Path(__file__).resolve().parents[3]


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist; True if it was created."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"--database-url: expected a database name at the end of {url!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    except psycopg.OperationalError as exc:
        raise SystemExit(f"--database-url: PostgreSQL does not answer at {admin}: {exc}") from None


def drop_database(url: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def server_env(database_url: str, bind: str, var_dir: Path) -> dict[str, str]:
    host = bind.rsplit(":", 1)[0].strip("[]")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "neuroseq.web.settings",
        "DATABASE_URL": database_url,
        "NEUROSEQ_VAR_DIR": str(var_dir),
        "NEUROSEQ_DEMO": "1",
        "NEUROSEQ_HTTPS": "0",
        "DEBUG": "0",
        "NEUROSEQ_STATIC_MANIFEST": "1",
        "ALLOWED_HOSTS": ",".join(sorted({host, "127.0.0.1", "localhost"})),
        "GUNICORN_BIND": bind,
    }


def prepare(env: dict[str, str], clients_per_org: int, out: object = sys.stdout) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    for step in (
        ["migrate", "--noinput"],
        ["seed_demo", "--clients-per-org", str(clients_per_org)],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        print(f"-- manage.py {' '.join(step)}", file=out, flush=True)  # type: ignore[call-overload]
        subprocess.run([*manage, *step], env=env, check=True)


def start(env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """gunicorn, and a Celery worker when REDIS_URL is set; each in its own process group."""
    bin_dir = Path(sys.executable).parent
    commands = [[str(bin_dir / "gunicorn"), *GUNICORN_ARGS]]
    if env.get("REDIS_URL"):
        commands.append(
            [
                str(bin_dir / "celery"),
                "-A",
                "neuroseq.web.jobs.celery",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ]
        )
    return [subprocess.Popen(c, env=env, start_new_session=True) for c in commands]


def stop(processes: list[subprocess.Popen[bytes]], timeout: float = 20) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(base_url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not answer at {base_url}/health/ in {timeout:.0f} s")
        time.sleep(0.3)


def _interrupt(*_: object) -> None:
    """SIGTERM stops the server like Ctrl-C (the ``finally`` below stops the children)."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SERVE_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--bind", default=os.environ.get("SERVE_BIND", "127.0.0.1:8000"))
    parser.add_argument("--var-dir", type=Path, default=ROOT / "var" / "serve")
    parser.add_argument("--clients-per-org", type=int, default=100)
    args = parser.parse_args(argv)
    if ensure_database(args.database_url):
        print(f"created database {urlsplit(args.database_url).path.lstrip('/')}")
    env = server_env(args.database_url, args.bind, args.var_dir)
    prepare(env, args.clients_per_org)
    processes = start(env)
    print(f"serving http://{args.bind}/ (gunicorn, PostgreSQL); Ctrl-C stops it", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    raise SystemExit(main())
