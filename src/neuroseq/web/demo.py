"""The labelled-synthetic demo: two organisations, one user per role, ~200 children.

Children and their first assessments come from the synthetic cohort generator; follow-up
assessments of the same child are derived from the first (six months apart, some
functions improving). Everything is written through the services, so the demo has an
audit trail like real use, and everything is marked synthetic.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.training import add_months, load_rules, load_vignettes
from neuroseq.web.models import (
    Assessment,
    AssessmentStatus,
    ClientStatus,
    Membership,
    Organisation,
    Role,
    StoredScores,
    ViewerKind,
)
from neuroseq.web.services import assessments, certification, clients, memberships, stored_scores
from neuroseq.web.services import staffing as staffing_service
from neuroseq.web.services.audit import Actor

DEMO_PASSWORD = "neuroseq-demo-2026"
SEED = 2026
ORGANISATIONS = [
    ("riverside", "Riverside Child Trauma Service (synthetic)", "RS"),
    ("hilltop", "Hilltop Family Clinic (synthetic)", "HT"),
]
ROLE_LOGINS = [
    (Role.ORG_ADMIN, "admin"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.CLINICIAN, "clinician"),
    (Role.TRAINEE, "trainee"),
    (Role.VIEWER, "caregiver"),
    (Role.VIEWER, "teacher"),
]
VIEWER_LABELS = {"caregiver": "Caregiver (family viewer)", "teacher": "Teacher (school viewer)"}
TEAMS = ["Early years team", "School-age team"]
GIVEN = [
    "Ava",
    "Ben",
    "Cara",
    "Dev",
    "Ella",
    "Finn",
    "Gus",
    "Hana",
    "Isla",
    "Jay",
    "Kai",
    "Lena",
    "Milo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Zac",
]
FAMILY = [
    "Abbott",
    "Byrne",
    "Chen",
    "Doyle",
    "Evans",
    "Fox",
    "Gill",
    "Hart",
    "Iqbal",
    "Jones",
    "Khan",
    "Lowe",
    "Mensah",
    "Nowak",
    "Okafor",
    "Price",
    "Quist",
    "Reid",
    "Shah",
    "Turner",
    "Usman",
    "Vance",
    "Walsh",
    "Young",
    "Zhou",
]
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Login:
    organisation: str
    role: str
    email: str
    password: str


def logins() -> list[Login]:
    return [
        Login(name, label, f"{short}@{slug}.example", DEMO_PASSWORD)
        for slug, name, _ in ORGANISATIONS
        for role, short in ROLE_LOGINS
        for label in [VIEWER_LABELS.get(short, Role(role).label)]
    ]


def follow_ups(first: dict[str, Any], count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """Later assessments of the same child: six months apart, some functions improving."""
    birth = dt.date.fromisoformat(first["client"]["birth_date"])
    day = dt.date.fromisoformat(first["assessment_date"])
    previous = first
    for _ in range(count):
        day += dt.timedelta(days=182)
        if day > timezone.localdate() or (day - birth).days / DAYS_PER_MONTH > 215:
            return
        record = copy.deepcopy(previous)
        record["assessment_date"] = day.isoformat()
        record["functional"] = {
            key: (min(3, value + 1) if value is not None and rng.random() < 0.3 else value)
            for key, value in previous["functional"].items()
        }
        record["current_relational_health"] = {
            key: (min(3, value + 1) if value is not None and rng.random() < 0.2 else value)
            for key, value in previous["current_relational_health"].items()
        }
        yield record
        previous = record


def seed(clients_per_org: int = 100, out: Any = None) -> bool:
    """Create the demo unless it exists. Returns True if anything was created."""
    created = False
    records = iter_synthetic_assessments(clients_per_org * len(ORGANISATIONS), seed=SEED)
    for index, (slug, name, prefix) in enumerate(ORGANISATIONS):
        batch = [next(records) for _ in range(clients_per_org)]
        if Organisation.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            _seed_organisation(slug, name, prefix, batch, random.Random(SEED + index))
        created = True
        if out is not None:
            out(f"created {name}: {clients_per_org} synthetic clients")
    return created


def store_missing_scores(out: Any = None) -> None:
    """A demo seeded before stored scores existed gets them (the analytics page needs them)."""
    for slug, _name, _prefix in ORGANISATIONS:
        org = Organisation.objects.filter(slug=slug).first()
        if org is not None and not StoredScores.objects.filter(organisation=org).exists():
            rows = stored_scores.backfill(Actor.system("seed_demo"), org)
            if out is not None:
                out(f"stored the scores of {rows} signed assessments of {org.name}")


def _seed_organisation(
    slug: str, name: str, prefix: str, batch: list[dict[str, Any]], rng: random.Random
) -> None:
    actor = Actor.system("seed_demo")
    org = memberships.create_organisation(actor, name=name, slug=slug, synthetic=True)
    teams = [memberships.create_team(actor, team, organisation=org) for team in TEAMS]
    people: dict[str, Membership] = {}
    password_hash = make_password(DEMO_PASSWORD)
    for role, short in ROLE_LOGINS:
        people[short] = memberships.add_member(
            actor,
            email=f"{short}@{slug}.example",
            full_name=f"Demo {VIEWER_LABELS.get(short, Role(role).label)} ({name.split(' (')[0]})",
            role=role,
            password=DEMO_PASSWORD,
            password_hash=password_hash,
            organisation=org,
            is_demo=True,
        )
    for team in teams:
        memberships.add_to_team(actor, team, people["supervisor"])
        memberships.add_to_team(actor, team, people["clinician"])
    memberships.add_to_team(actor, teams[0], people["trainee"])
    _training(actor, org, people, rng)
    signer = people["supervisor"].user
    for number, first in enumerate(batch, start=1):
        birth = dt.date.fromisoformat(first["client"]["birth_date"])
        age_years = (timezone.localdate() - birth).days / 365.25
        client = clients.create_client(
            actor,
            organisation=org,
            care_team=teams[0] if age_years < 8 else teams[1],
            display_id=f"{prefix}-{number:04d}",
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            birth_date=birth,
            status=rng.choices(
                [ClientStatus.ACTIVE, ClientStatus.WAITING, ClientStatus.DISCHARGED], [8, 1, 1]
            )[0],
            placement=rng.choice(["birth family", "kinship care", "foster care", "residential"]),
            caregivers="synthetic caregivers",
            synthetic=True,
        )
        linked = number <= 3
        if linked:
            clients.link_viewer(actor, client, people["caregiver"], kind=ViewerKind.CAREGIVER)
            clients.link_viewer(actor, client, people["teacher"], kind=ViewerKind.TEACHER)
        history = [first, *follow_ups(first, rng.randint(0, 3), rng)]
        _assessments(actor, client, history, signer, rng, share=linked)
    _open_staffing(actor, org, people)


def _open_staffing(actor: Actor, org: Organisation, people: dict[str, Membership]) -> None:
    """One open staffing of a draft: the supervisor leads, the clinician has submitted, the
    trainee has rated part of it (synthetic, like everything here)."""
    draft = (
        Assessment.objects.filter(client__organisation=org, status=AssessmentStatus.DRAFT)
        .order_by("client__display_id")
        .first()
    )
    if draft is None:
        client = (
            org.clients.annotate(versions=Count("assessments"))
            .filter(versions__lt=4, birth_date__gt=timezone.localdate() - dt.timedelta(days=6000))
            .order_by("display_id")
            .first()
        )
        if client is None:
            return
        record = copy.deepcopy(client.assessments.order_by("-assessment_date").first().inputs)
        record["assessment_date"] = timezone.localdate().isoformat()
        draft = assessments.create_draft(actor, client, record)
    lead = people["supervisor"].user
    staffing = staffing_service.open_staffing(actor, draft, lead=lead)
    function_ids = list(draft.inputs.get("functional") or {})
    own = {f: v for f, v in draft.inputs["functional"].items() if v is not None}
    for short in ("clinician", "trainee"):
        staffing_service.invite(actor, staffing, people[short].user)
    clinician, trainee = people["clinician"].user, people["trainee"].user
    if not own:
        return
    staffing_service.save_ratings(actor, staffing, own, rater=clinician)
    staffing_service.submit_ratings(actor, staffing, rater=clinician)
    half = {f: own[f] for f in function_ids[: len(function_ids) // 2] if f in own}
    staffing_service.save_ratings(actor, staffing, half, rater=trainee)


DEMO_LEAD_EXPIRES_IN_DAYS = 40  # the fidelity dashboard shows a renewal coming up


def _training(
    actor: Actor, org: Organisation, people: dict[str, Membership], rng: random.Random
) -> None:
    """The supervisor is a certified staffing lead (expiring soon) and trainer; the trainee
    has rated two vignettes (one close to the key, one with misses) and has one assigned."""
    today = timezone.localdate()
    supervisor = people["supervisor"].user
    lead_expires = today + dt.timedelta(days=DEMO_LEAD_EXPIRES_IN_DAYS)
    for level, issued in (
        ("staffing_lead", add_months(lead_expires, -load_rules().expiry_months)),
        ("trainer", today - dt.timedelta(days=60)),
    ):
        certification.demo_certificate(
            actor, user=supervisor, level=level, issued_on=issued, organisation=org
        )
    trainee = people["trainee"].user
    cases = load_vignettes()
    for days_ago, vignette, misses in ((20, cases[0], 2), (10, cases[1], 7)):
        ratings: dict[str, int | None] = dict(vignette.key_statuses)
        for fid in rng.sample(sorted(ratings), misses):
            key = vignette.key_statuses[fid]
            ratings[fid] = key + 1 if key < 3 else key - 1
        certification.submit_attempt(
            Actor(trainee, trainee.email),
            vignette_id=vignette.id,
            version=vignette.version,
            ratings=ratings,
            now=timezone.now() - dt.timedelta(days=days_ago),
        )
    certification.assign(
        Actor(supervisor, supervisor.email),
        trainee=trainee,
        vignette_id=cases[2].id,
        due=today + dt.timedelta(days=14),
        today=today,
    )


def _assessments(
    actor: Actor,
    client: Any,
    history: list[dict[str, Any]],
    signer: Any,
    rng: random.Random,
    *,
    share: bool = False,
) -> None:
    """Draft, review and sign; a child linked to a family also gets the newest signed
    assessment shared with them (released), as a clinician would."""
    last = len(history) - 1
    newest_signed = None
    for position, record in enumerate(history):
        # The generator took a history; an empty list means none was found, not "unknown".
        marks = {} if record.get("adversities") else {"history": "none"}
        draft = assessments.create_draft(actor, client, record, marks=marks)
        ending = rng.random() if position == last else 1.0
        if ending < 0.12:
            continue  # left as a draft
        review = assessments.submit(actor, draft)
        if ending < 0.22:
            continue  # waiting for a supervisor
        signed = assessments.sign(actor, review, signer=signer)
        newest_signed = signed
        if position == 0 and rng.random() < 0.06:
            amendment = assessments.amend(actor, signed, "corrected a rating entered in error")
            newest_signed = assessments.sign(
                actor, assessments.submit(actor, amendment), signer=signer
            )
    if share and newest_signed is not None:
        assessments.release(actor, newest_signed, by=signer)
