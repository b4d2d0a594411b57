"""Keystrokes per item of the keyboard-first functional review, measured in a real browser.

Run: ``python benchmarks/bench_keyboard.py``. It builds a throw-away demo database in a
temporary folder, starts the clinic app on a free local port, drives the system Chromium
(``/usr/bin/chromium``) through one functional review with the keyboard only, counts every
key pressed from the moment the page opens until the next step is open, and prints the
figure. Issue 9's goal is at most 1.2 keys per item (one per rating, plus leaving the page).

When ``NEUROSEQ_BENCH_RESULTS`` names a file, one JSON line is appended to it for the
summary table of ``make bench``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "keyboard-bench-passphrase"
GOAL = 1.2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(env: dict[str, str]) -> int:
    """Migrate a fresh database and create a clinician, a child and an empty draft."""
    code = f"""
import django, datetime as dt
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from neuroseq.web.models import CareTeam, Client, Membership, Organisation, Role, User
from neuroseq.web.services.assessments import start_draft
from neuroseq.web.services.audit import Actor
org = Organisation.objects.create(name="Bench clinic (synthetic)", slug="bench", synthetic=True)
team = CareTeam.objects.create(organisation=org, name="Bench team")
user = User.objects.create_user("bench@clinic.example", "{PASSWORD}", is_demo=True)
member = Membership.objects.create(user=user, organisation=org, role=Role.CLINICIAN)
team.members.add(member)
child = Client.objects.create(organisation=org, care_team=team, display_id="BENCH-1",
    given_name="Ada", family_name="Bench", birth_date=dt.date(2019, 5, 2), synthetic=True)
draft = start_draft(Actor(user, user.email), child, assessment_date=dt.date.today().isoformat())
print(draft.pk)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def wait_until_up(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the clinic app did not answer at {url}")


def review(base: str, draft: int) -> tuple[int, int]:
    """(keys pressed, items rated) for one functional review, keyboard only."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Email").fill("bench@clinic.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/**")
        page.goto(f"{base}/assessments/{draft}/edit/functional/")
        items = page.locator("fieldset.item").count()
        keys = 0
        # A realistic mix of ratings, one key each; the page starts on the first item.
        for position in range(items):
            page.keyboard.press("3223n"[position % 5])
            keys += 1
        page.wait_for_function(
            "() => /All changes saved/.test(document.getElementById('save-state').textContent)"
        )
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused != "Save and continue":
            raise SystemExit(f"after the last item the focus is on {focused!r}")
        page.keyboard.press("Enter")
        keys += 1
        page.wait_for_url(f"{base}/assessments/{draft}/edit/*/")
        browser.close()
    return keys, items


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium package")
    with tempfile.TemporaryDirectory(prefix="neuroseq-bench-") as var:
        env = {
            **os.environ,
            "NEUROSEQ_VAR_DIR": var,
            "NEUROSEQ_DEMO": "1",
            "DJANGO_SETTINGS_MODULE": "neuroseq.web.settings",
        }
        env.pop("DATABASE_URL", None)
        draft = prepare(env)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(f"{base}/health/")
            keys, items = review(base, draft)
        finally:
            server.terminate()
            server.wait(timeout=10)
    value = keys / items
    print(
        f"keystrokes per functional-review item: {value:.3f} "
        f"({keys} keys for {items} items; goal <= {GOAL})"
    )
    results = os.environ.get("NEUROSEQ_BENCH_RESULTS")
    if results:
        line = {
            "figure": "keystrokes per functional-review item",
            "value": round(value, 3),
            "unit": "keys/item",
            "goal": f"<= {GOAL}",
        }
        with open(results, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
