"""Analytics: stored scores, the database aggregation against the domain code, outcomes."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import numpy as np
import pytest

from neuroseq.assessment import parse_assessment
from neuroseq.cohort.analysis import analyse
from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.outcomes import OutcomeTracker, score_matrix
from neuroseq.cohort.synth import iter_synthetic_assessments
from neuroseq.instrument import load_instrument
from neuroseq.progress.rci import standard_error_of_difference
from neuroseq.scoring.batch import BatchInput, score_batch
from neuroseq.web import analytics
from neuroseq.web.demo import follow_ups
from neuroseq.web.models import Assessment, AssessmentStatus, Client, Role, StoredScores
from neuroseq.web.services import assessments
from neuroseq.web.services.audit import Actor

from .factories import ClientFactory
from .helpers import World, make_assessment

SYSTEM = Actor.system("tests")


def sign_record(client: Any, record: dict[str, Any], signer: Any) -> Assessment:
    marks = {} if record.get("adversities") else {"history": "none"}
    draft = assessments.create_draft(SYSTEM, client, record, marks=marks)
    return assessments.sign(SYSTEM, assessments.submit(SYSTEM, draft), signer=signer)


def numeric(values: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in values.items() if isinstance(v, int | float)}


def signer_of(world: World) -> Any:
    return world.members[Role.SUPERVISOR].user


@pytest.fixture
def cohort(world: World) -> list[Assessment]:
    """30 synthetic children, a third in team two; two thirds followed up six months later."""
    rng = random.Random(13)
    signed = []
    for i, record in enumerate(iter_synthetic_assessments(30, seed=13)):
        team = world.team1 if i % 3 else world.team2
        client = ClientFactory(
            care_team=team,
            display_id=record["client"]["pseudonym"],
            birth_date=dt.date.fromisoformat(record["client"]["birth_date"]),
            synthetic=True,
        )
        history = [record, *follow_ups(record, 1 if i % 3 != 2 else 0, rng)]
        signed += [sign_record(client, r, signer_of(world)) for r in history]
    return signed


def in_force() -> list[Assessment]:
    return list(
        Assessment.objects.filter(status=AssessmentStatus.SIGNED)
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .select_related("client")
        .order_by("assessment_date", "pk")
    )


def latest_each(chosen: list[Assessment]) -> list[Assessment]:
    """Each client's latest assessment of ``chosen`` (sorted by date, then id)."""
    latest: dict[int, Assessment] = {}
    for a in chosen:
        latest[a.client_id] = a
    return sorted(latest.values(), key=lambda a: (a.assessment_date, a.pk))


def batch_of(chosen: list[Assessment]) -> Any:
    inst = load_instrument()
    parsed = [parse_assessment(a.inputs, inst) for a in chosen]
    return inst, parsed, score_batch(BatchInput.from_assessments(parsed, inst), inst)


def test_signing_stores_one_row_per_assessment_and_amendment_replaces_it(world: World) -> None:
    row = StoredScores.objects.get(assessment=world.signed)
    inst, _, batch = batch_of([world.signed])
    assert row.challenges == pytest.approx(batch.developmental_challenges_score[0])
    assert row.age_typical_percent == pytest.approx(batch.age_typical_percent[0])
    assert row.organisation_id == world.child1.organisation_id
    assert not StoredScores.objects.filter(assessment__status=AssessmentStatus.DRAFT).exists()

    amendment = assessments.amend(SYSTEM, world.signed, "a rating was entered in error")
    inputs = dict(amendment.inputs)
    inputs["functional"] = {k: (0 if v is not None else v) for k, v in inputs["functional"].items()}
    amendment = assessments.update_draft(SYSTEM, amendment, inputs)
    corrected = assessments.sign(
        SYSTEM, assessments.submit(SYSTEM, amendment), signer=signer_of(world)
    )
    rows = StoredScores.objects.filter(lineage=world.signed.lineage)
    assert rows.count() == 1
    assert rows.get().assessment_id == corrected.pk
    assert rows.get().functional_score == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("outcome", "colour"), [("age_typical_percent", "history"), ("functional_score", "current")]
)
def test_database_fit_equals_the_domain_fit_of_the_same_records(
    cohort: list[Assessment], world: World, outcome: str, colour: str
) -> None:
    chosen = latest_each(in_force())
    inst, parsed, batch = batch_of(chosen)
    expected = analyse(
        inst,
        batch.columns(inst),
        synthetic=np.array([a.synthetic for a in parsed]),
        outcome=outcome,  # type: ignore[arg-type]
        colour=colour,  # type: ignore[arg-type]
    )
    rows = analytics.Selection(world.child1.organisation_id).rows()
    got = analytics.fit(inst, rows, outcome=outcome, colour=colour)  # type: ignore[arg-type]
    assert got.n_records == expected.n_records == len(chosen)
    assert got.n_synthetic == expected.n_synthetic
    assert got.line.n == expected.line.n
    assert numeric(got.line.to_dict()) == pytest.approx(numeric(expected.line.to_dict()), rel=1e-7)
    for measure, comparison in expected.residuals.items():
        mine = got.residuals[measure]
        assert (mine is None) == (comparison is None)
        if comparison is not None and mine is not None:
            assert numeric(mine.to_dict()) == pytest.approx(
                numeric(comparison.to_dict()), rel=1e-7, nan_ok=True
            )
    for name in ("multiple", "timing"):
        theirs, mine = getattr(expected, name), getattr(got, name)
        assert (theirs is None) == (mine is None)
        if theirs is not None:
            assert mine.r_squared == pytest.approx(theirs.r_squared, rel=1e-7)
            for c_mine, c_theirs in zip(mine.coefficients, theirs.coefficients, strict=True):
                assert numeric(c_mine.to_dict()) == pytest.approx(
                    numeric(c_theirs.to_dict()), rel=1e-6, abs=1e-9
                )
    assert got.notes == expected.notes
    assert len(got.sample.x) == len(chosen)


def test_database_outcomes_equal_the_domain_tracker(cohort: list[Assessment], world: World) -> None:
    chosen = in_force()
    inst, parsed, batch = batch_of(chosen)
    scores, typical = score_matrix(batch)
    tracker = OutcomeTracker(inst)
    tracker.add(
        [str(a.client_id) for a in chosen],
        [a.assessment_date.toordinal() for a in chosen],
        np.asarray(batch.age_months),
        scores,
        typical,
    )
    expected = tracker.result().group("all")
    rows = analytics.Selection(world.child1.organisation_id).rows()
    got = analytics.outcomes(inst, rows).group("all")
    assert got.n_clients == expected.n_clients >= 15  # a follow-up never lies in the future
    assert got.n_single == expected.n_single
    for theirs in expected.scopes:
        mine = got.scope(theirs.scope.label)
        assert mine.counts == theirs.counts, theirs.scope.label
        for klass, ids in theirs.clients.items():
            listed = analytics.clients_in(inst, rows, theirs.scope.label, klass)
            assert sorted(str(i) for i in listed) == sorted(ids)


def test_outcome_counts_on_constructed_pairs(world: World) -> None:
    """Four clients, first and latest set by hand around the reliable change threshold."""
    inst = load_instrument()
    rel = inst.reliability.functional_score
    s_diff = standard_error_of_difference(rel.sd, rel.reliability)
    plan = {"up": 3.0, "down": -3.0, "flat": 0.5, "unrated": None}
    for name, step in plan.items():
        client = ClientFactory(care_team=world.team1, display_id=f"P-{name}")
        first = make_assessment(client, "signed", assessment_date="2025-01-10")
        latest = make_assessment(client, "signed", assessment_date="2025-07-10")
        StoredScores.objects.filter(assessment=first).update(
            functional_score=40.0, typical_functional_score=60.0
        )
        StoredScores.objects.filter(assessment=latest).update(
            functional_score=None if step is None else 45.0 + step * s_diff,
            typical_functional_score=65.0,
        )
    rows = (
        analytics.Selection(world.child1.organisation_id)
        .rows()
        .filter(client__display_id__startswith="P-")
    )
    result = analytics.outcomes(inst, rows).group("all")
    assert result.n_clients == 4
    assert result.scope("functional_score").counts == {
        "improved": 1,
        "no reliable change": 1,
        "deteriorated": 1,
        "not comparable": 1,
    }
    ids = analytics.clients_in(inst, rows, "functional_score", "improved")
    assert [StoredScores.objects.filter(client_id=i).first().client.display_id for i in ids] == [
        "P-up"
    ]


def test_filters_by_team_and_dates(cohort: list[Assessment], world: World) -> None:
    inst = load_instrument()
    org = world.child1.organisation_id
    team = analytics.fit(inst, analytics.Selection(org, team_id=world.team2.pk).rows())
    expected = {a.client_id for a in in_force() if a.client.care_team_id == world.team2.pk}
    assert team.n_records == len(expected)
    dates = sorted(a.assessment_date for a in in_force())
    middle = dates[len(dates) // 2]
    late = analytics.fit(inst, analytics.Selection(org, date_from=middle).rows())
    assert late.n_records == len({a.client_id for a in in_force() if a.assessment_date >= middle})


def test_line_counts_each_child_once_with_the_latest_assessment(
    cohort: list[Assessment], world: World, as_role: Any
) -> None:
    """31 children (the cohort's 30 and the world's one), most of them assessed twice: the
    line has one point per child, not one per assessment."""
    rows = analytics.Selection(world.child1.organisation_id).rows()
    children = {a.client_id for a in in_force()}
    assert len(children) == 31 and rows.count() == len(in_force()) >= 45
    got = analytics.fit(load_instrument(), rows)
    assert got.n_records == got.line.n == 31
    latest = {a.client_id: a.assessment_date for a in latest_each(in_force())}
    kept = analytics.latest_per_client(rows).values_list("client_id", "assessed_on")
    assert dict(kept) == latest
    page = as_role(Role.SUPERVISOR).get("/analytics/").content.decode()
    assert "Each point is one child (all 31)" in page
    assert '<th scope="row">Children (n)</th><td>31</td>' in page


def test_degenerate_selection_gives_the_clear_message(world: World) -> None:
    inst = load_instrument()
    rows = analytics.Selection(world.child1.organisation_id).rows()
    assert rows.count() == 1
    with pytest.raises(CohortError) as caught:
        analytics.fit(inst, rows)
    assert "n = 1" in str(caught.value) or "at least 3" in str(caught.value)


def test_page_for_admins_and_supervisors_only(world: World, as_role: Any) -> None:
    assert as_role(Role.ORG_ADMIN).get("/analytics/").status_code == 200
    for role in (Role.CLINICIAN, Role.TRAINEE, Role.VIEWER):
        assert as_role(role).get("/analytics/").status_code == 403


def test_page_shows_fit_choices_and_synthetic_label(
    cohort: list[Assessment], world: World, as_role: Any
) -> None:
    http = as_role(Role.SUPERVISOR)
    page = http.get("/analytics/").content.decode()
    assert "percent of the typical child of the same age" in page
    assert "Correlation (r)" in page and "Timing" in page
    assert 'class="badge synthetic"' in page
    raw = http.get("/analytics/?y=functional_score&colour=current").content.decode()
    assert "Raw Functional Score (not adjusted for age)" in raw
    assert "Points coloured by <strong>current relational health" in raw


def test_bad_filter_names_the_field_and_is_400(world: World, as_role: Any) -> None:
    response = as_role(Role.ORG_ADMIN).get("/analytics/?date_from=yesterday&y=sideways")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid date" in body and "Select a valid choice" in body


def test_degenerate_selection_message_on_the_page(world: World, as_role: Any) -> None:
    body = as_role(Role.ORG_ADMIN).get("/analytics/").content.decode()
    assert "No line can be fitted to this selection" in body


def test_drill_down_lists_only_visible_clients(
    cohort: list[Assessment], world: World, as_role: Any
) -> None:
    inst = load_instrument()
    rows = analytics.Selection(world.child1.organisation_id).rows()
    label = "functional_score"
    counted = analytics.outcomes(inst, rows).group("all").scope(label).counts
    klass = max(counted, key=lambda k: counted[k])
    ids = set(analytics.clients_in(inst, rows, label, klass))
    team1 = {c.pk for c in world.team1.clients.all()}
    http = as_role(Role.SUPERVISOR)  # a member of team one only
    body = http.get(f"/analytics/clients/?scope={label}&result={klass}").content.decode()
    for client in Client.objects.filter(pk__in=ids):
        assert (client.display_id in body) == (client.pk in team1)
    hidden = len(ids - team1)
    assert hidden > 0
    assert f"{hidden} more client" in body
    admin = as_role(Role.ORG_ADMIN).get(f"/analytics/clients/?scope={label}&result={klass}")
    assert all(c.display_id in admin.content.decode() for c in Client.objects.filter(pk__in=ids))


def test_drill_down_bad_scope_is_400(world: World, as_role: Any) -> None:
    response = as_role(Role.ORG_ADMIN).get("/analytics/clients/?scope=elbow&result=improved")
    assert response.status_code == 400
    assert "scope: expected a score of the outcomes table" in response.content.decode()


def test_csv_has_the_visible_rows_only(
    cohort: list[Assessment], world: World, as_role: Any
) -> None:
    import csv
    import io

    http = as_role(Role.SUPERVISOR)
    response = http.get("/analytics/?format=csv")
    text = b"".join(response.streaming_content).decode()
    table = list(csv.DictReader(io.StringIO(text)))
    team1 = set(world.team1.clients.values_list("display_id", flat=True))
    expected = [a for a in in_force() if a.client.display_id in team1]
    assert sorted(r["client"] for r in table) == sorted(a.client.display_id for a in expected)
    some = StoredScores.objects.get(assessment_id=int(table[0]["assessment_id"]))
    assert float(table[0]["challenges"]) == pytest.approx(some.challenges)


def test_large_caseload_shows_the_snapshot_and_refits_in_the_background(
    cohort: list[Assessment], world: World, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neuroseq.web.jobs.runner import Attempt, _execute
    from neuroseq.web.models import AnalyticsSnapshot, Job

    monkeypatch.setattr(analytics, "LARGE", 5)
    http = as_role(Role.ORG_ADMIN)
    first = http.get("/analytics/").content.decode()
    assert "A large caseload: these figures were computed" in first
    assert "being refitted" not in first
    snapshot = AnalyticsSnapshot.objects.get()
    n_before = snapshot.figures["fit"]["n"]
    assert f"<td>{n_before}</td>" in first

    client = ClientFactory(care_team=world.team1, display_id="NEW-1")
    make_assessment(client, "signed", assessment_date="2025-05-05")
    stale = http.get("/analytics/").content.decode()
    assert "being refitted in the background" in stale
    assert f"<td>{n_before}</td>" in stale  # the old figures until the refit is done
    job = Job.objects.get(kind="analytics_refit")
    http.get("/analytics/")
    assert Job.objects.filter(kind="analytics_refit").count() == 1  # not started twice

    assert _execute(str(job.pk)) is Attempt.DONE  # execute() would close the test connection
    fresh = http.get("/analytics/").content.decode()
    assert "being refitted" not in fresh
    assert f"<td>{n_before + 1}</td>" in fresh


def test_constant_predictor_gives_the_clear_message(world: World, as_role: Any) -> None:
    """Four children with the worked example's history: one challenge score for all."""
    for k in range(3):
        make_assessment(ClientFactory(care_team=world.team1, display_id=f"K-{k}"), "signed")
    body = as_role(Role.ORG_ADMIN).get("/analytics/").content.decode()
    assert "No line can be fitted to this selection" in body
    assert "Developmental Challenges Score is constant (every child" in body


def test_drill_down_pages_through_every_listed_client(
    cohort: list[Assessment], world: World, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from neuroseq.web.views import analytics as view

    monkeypatch.setattr(view, "PER_PAGE", 3)
    inst = load_instrument()
    rows = analytics.Selection(world.child1.organisation_id).rows()
    counted = analytics.outcomes(inst, rows).group("all").scope("functional_score").counts
    klass = max(counted, key=lambda k: counted[k])
    expected = set(
        Client.objects.filter(
            pk__in=analytics.clients_in(inst, rows, "functional_score", klass)
        ).values_list("display_id", flat=True)
    )
    http = as_role(Role.ORG_ADMIN)
    seen: set[str] = set()
    for number in range(1, len(expected) // 3 + 2):
        body = http.get(
            "/analytics/clients/",
            {"scope": "functional_score", "result": klass, "page": number},
        ).content.decode()
        seen |= {d for d in expected if f">{d}</a>" in body}
    assert seen == expected
