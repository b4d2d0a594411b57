"""Page throughput against a trivial Django view: client list, client page, assessment page.

Measured in one process with Django's test client (the full middleware stack, sessions,
two-factor and audit writes; no network, no server) on a scratch SQLite database under
``var/bench/`` seeded with the labelled-synthetic demo. The trivial view is ``/health/``
(it touches neither the database nor the session). Each figure is pages per second /
trivial views per second, timed in alternating rounds so the noise of a shared machine
hits both alike. Goal >= 0.3 (issue 14, item 5).

Signed assessments are rendered once (``services/rendering.py``): these pages read their
maps, scores and plan from ``RenderedAssessment``. What is left per request is the
signed-in machinery every clinical page pays (session read and idle-expiry save, second
factor, membership, CSRF, the audit entry of the read), so the run also times a signed-in
page with almost nothing on it (``/jobs/``, empty) and prints it beside the goal.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import djangobench
from figures import record_figure

ROUNDS = 4
SECONDS = 0.75
CLIENTS_PER_ORG = 20
NOTE = "one process, Django test client, SQLite, vs /health/; signed assessments rendered once"


def main() -> None:
    started = time.perf_counter()
    djangobench.setup(djangobench.BENCH_DIR / "pages.sqlite3")
    from neuroseq.web import demo
    from neuroseq.web.models import Assessment, AssessmentStatus, User

    demo.seed(CLIENTS_PER_ORG)
    print(
        f"seeded the demo ({CLIENTS_PER_ORG} clients per organisation) in "
        f"{time.perf_counter() - started:.0f} s"
    )
    clinician = User.objects.get(email="clinician@riverside.example")
    signed = Assessment.objects.filter(
        status=AssessmentStatus.SIGNED, client__organisation__slug="riverside"
    )
    # A child with at least two signed assessments: the client page then has a change map.
    client_id = next(
        c
        for c in signed.values_list("client_id", flat=True)
        if signed.filter(client_id=c).count() > 1
    )
    assessment = signed.filter(client_id=client_id).order_by("-assessment_date").first()
    http = djangobench.signed_in(clinician)
    pages = {
        "trivial view (/health/)": djangobench.get_ok(http, "/health/"),
        "signed-in empty page (/jobs/)": djangobench.get_ok(http, "/jobs/"),
        "client list": djangobench.get_ok(http, "/clients/"),
        "client page": djangobench.get_ok(http, f"/clients/{client_id}/"),
        "assessment page": djangobench.get_ok(http, f"/assessments/{assessment.pk}/"),
    }
    sizes = {name: len(fetch().content) for name, fetch in pages.items()}
    counts = dict.fromkeys(pages, 0.0)
    for _ in range(ROUNDS):
        for name, fetch in pages.items():
            counts[name] += djangobench.per_second(fetch, SECONDS, warmup=1)
    rates = {name: total / ROUNDS for name, total in counts.items()}
    trivial = rates["trivial view (/health/)"]
    for name, rate in rates.items():
        print(f"{name:<30} {rate:8.1f} /s  {1000 / rate:7.1f} ms  {sizes[name] / 1024:6.0f} KB")
    signed_in = rates["signed-in empty page (/jobs/)"] / trivial
    print(f"signed-in empty page / trivial view: {signed_in:.3f} (the ceiling for any clinic page)")
    note = f"{NOTE}; an empty signed-in page (/jobs/) is {signed_in:.2f}"
    for name in ("client list", "client page", "assessment page"):
        ratio = rates[name] / trivial
        print(f"{name} / trivial view: {ratio:.3f} (goal >= 0.3)")
        record_figure(
            f"pages: {name} / trivial view, requests per second", ratio, "x", ">= 0.3", note
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
