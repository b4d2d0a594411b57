"""Record, cohort and research exports and the FHIR pages, through the real views."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import override_settings

from neuroseq.interop.research import research_id
from neuroseq.web.jobs.runner import execute
from neuroseq.web.models import Assessment, AuditEvent, Job, JobStatus, Role
from neuroseq.web.services import assessments
from neuroseq.web.services.audit import Actor

from .factories import ClientFactory
from .helpers import example_inputs, make_assessment, sign_in

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture(autouse=True)
def job_dir(settings, tmp_path):
    settings.NEUROSEQ_JOB_DIR = tmp_path / "jobs"
    settings.CELERY_BROKER_URL = None


def export_job(http, job_kind: str, **params: str) -> Job:
    """Start an export from the Exports page's form and run it (the real job runner)."""
    response = http.post(f"/jobs/start/{job_kind}/", params)
    assert response.status_code == 302, response.content.decode()
    job = Job.objects.order_by("-created_at").first()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED  # nothing is computed in the request
    execute(str(job.pk))
    job.refresh_from_db()
    return job


def job_rows(http, job: Job) -> list[dict[str, str]]:
    response = http.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


def test_record_export_has_every_version_and_is_audited(world, http):
    sign_in(http, world.user(Role.CLINICIAN))
    make_assessment(world.child1, "draft", assessment_date="2026-10-01")
    document = json.loads(http.get(f"/clients/{world.child1.pk}/export/?format=json").content)
    assert document["format"] == "neuroseq.record/1"
    assert document["client"]["family_name"] == "Quillfeather"  # the clinician's full record
    assert len(document["assessments"]) == world.child1.assessments.count() == 4
    table = rows(http.get(f"/clients/{world.child1.pk}/export/?format=csv"))
    assert {r["status"] for r in table} == {"draft", "in_review", "signed"}
    assert all(r["client"] == "A-0001" and r["score.functional_score"] for r in table)
    events = AuditEvent.objects.filter(action="export.record", client=world.child1)
    assert sorted(e.details["format"] for e in events) == ["csv", "json"]
    assert http.get(f"/clients/{world.child1.pk}/export/?format=xml").status_code == 400
    assert http.get(f"/clients/{world.other_child.pk}/export/?format=json").status_code == 404


def test_cohort_exports_run_as_jobs_and_escape_formulas(world, http):
    risky = ClientFactory(care_team=world.team1, display_id="=HYPERLINK(1)")
    make_assessment(risky, "signed")
    sign_in(http, world.user(Role.SUPERVISOR))
    version = world.signed.instrument_version
    page = http.get("/exports/").content.decode()
    assert 'action="/jobs/start/cohort_export/"' in page
    assert 'action="/jobs/start/research_export/"' not in page  # org admins only
    job = export_job(http, "cohort_export", kind="scores", instrument_version=version)
    assert job.status == JobStatus.SUCCEEDED, job.error
    wide = job_rows(http, job)
    assert sorted(r["client"] for r in wide) == ["'=HYPERLINK(1)", "A-0001"]  # signed only
    assert job.message == "2 rows (assessments, instrument v2) exported.".replace(
        "v2", f"v{version}"
    )
    long = job_rows(
        http, export_job(http, "cohort_export", kind="ratings", instrument_version=version)
    )
    sections = {"functional", "current_relational_health", "relational_history"}
    if world.signed.inputs.get("clinical_flags"):  # instrument v2 on
        sections.add("clinical_flags")
    assert {r["section"] for r in long} == sections
    dictionary = rows(http.get(f"/exports/?kind=dictionary&instrument_version={version}"))
    assert {r["column"] for r in dictionary} >= set(wide[0]) - {"client"}
    redcap = http.get(f"/exports/?kind=redcap&instrument_version={version}").content.decode()
    assert redcap.startswith("Variable / Field Name,Form Name")
    assert http.get("/exports/?kind=redcap&instrument_version=99").status_code == 400
    assert AuditEvent.objects.filter(action="export.cohort").count() == 2


def test_an_old_export_link_computes_nothing_and_says_where_exports_went(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    response = http.get(
        f"/exports/?kind=scores&instrument_version={world.signed.instrument_version}"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "now run in the background" in response.content.decode()
    assert not AuditEvent.objects.filter(action="export.cohort").exists()


def test_a_bad_instrument_version_names_the_field_and_starts_nothing(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    response = http.post(
        "/jobs/start/cohort_export/", {"kind": "scores", "instrument_version": "99"}
    )
    assert response.status_code == 400
    assert "instrument_version: Value error, unknown instrument version '99'" in (
        response.content.decode().replace("&#x27;", "'")
    )
    response = http.post("/jobs/start/cohort_export/", {"kind": "everything"})
    assert response.status_code == 400 and "kind: " in response.content.decode()
    assert not Job.objects.exists()


def test_clinicians_see_only_their_teams_children_in_a_cohort_export(world, http):
    make_assessment(world.child2, "signed")  # team 2
    sign_in(http, world.user(Role.CLINICIAN))
    job = export_job(http, "cohort_export", instrument_version=world.signed.instrument_version)
    assert [r["client"] for r in job_rows(http, job)] == ["A-0001"]


def signed(child, inputs, world):
    system = Actor.system("tests")
    draft = assessments.submit(system, assessments.create_draft(system, child, inputs))
    return assessments.sign(system, draft, signer=world.user(Role.SUPERVISOR))


@pytest.fixture
def cohort(world):
    """Six children of organisation A with names, birth dates, dated and noted assessments."""
    children = []
    for i in range(6):
        child = ClientFactory(
            care_team=world.team1,
            display_id=f"CHILD-{i:02d}",
            given_name=f"Given{i}xq",
            family_name=f"Family{i}zq",
            birth_date=dt.date(2015, 1, 10) if i < 5 else dt.date(2019, 7, 1),
        )
        inputs = example_inputs(rater=f"Dr Rater{i}", assessment_date="2026-02-03")
        inputs["client"] = {}
        inputs["adversities"] = [
            {
                "type": "neglect",
                "period": "m2_6",
                "severity": 2,
                "chronicity": "chronic",
                "note": f"secret note {i}",
            },
        ] + ([{"type": "medical_trauma", "period": "y1_2", "severity": 1}] if i == 0 else [])
        signed(child, inputs, world)
        children.append(child)
    return children


@override_settings(NEUROSEQ_RESEARCH_KEY="test-key", NEUROSEQ_RESEARCH_MIN_CELL=5)
def test_research_export_is_de_identified(world, http, cohort):
    sign_in(http, world.user(Role.ORG_ADMIN))
    version = world.signed.instrument_version
    job = export_job(http, "research_export", instrument_version=version)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.message.startswith("7 assessments of 7 children exported, de-identified")
    response = http.get(f"/jobs/{job.pk}/download/")
    text = b"".join(response.streaming_content).decode("utf-8")
    identifying = [world.child1.given_name, world.child1.family_name, "Quillfeather", "A-0001"]
    for child in cohort:
        a = child.assessments.get()
        identifying += [
            child.given_name,
            child.family_name,
            child.display_id,
            child.birth_date.isoformat(),
            a.assessment_date.isoformat(),
        ]
        identifying += [
            a.inputs["rater"],
            *(adv["note"] for adv in a.inputs["adversities"] if adv["note"]),
        ]
    assert [s for s in identifying if s in text] == []
    assert DATE.search(text) is None  # no date of any kind
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 6 + 1  # the six children and child1's signed assessment
    assert {r["research_id"] for r in table} >= {
        research_id(b"test-key", f"{c.organisation_id}:{c.pk}") for c in cohort
    }
    # Small cells: the 6-year-old's and child1's (10 years) age bands, and one child's
    # medical trauma; the five 11-year-olds keep their ages.
    ages = {r["research_id"]: r["age_months"] for r in table}
    young = research_id(b"test-key", f"{cohort[5].organisation_id}:{cohort[5].pk}")
    assert ages[young] == "" and sum(1 for v in ages.values() if v == "") == 2
    assert all(r["adversity.medical_trauma"] == "" for r in table)
    assert {r["adversity.neglect"] for r in table} == {"1", "2"}
    event = AuditEvent.objects.get(action="export.research")
    only_child1 = {a["type"] for a in world.signed.inputs["adversities"]} - {"neglect"}
    assert event.details["suppressed_adversity_types"] == sorted(only_child1 | {"medical_trauma"})
    assert event.details["suppressed_age_cells"] == 2
    assert event.details["suppressed_age_bands_years"] == [6, 10]
    # Stable ids with the same key, different ids with another key.
    again = job_rows(http, export_job(http, "research_export", instrument_version=version))
    assert [r["research_id"] for r in again] == [r["research_id"] for r in table]
    with override_settings(NEUROSEQ_RESEARCH_KEY="another-key"):
        other = job_rows(http, export_job(http, "research_export", instrument_version=version))
    assert not {r["research_id"] for r in other} & {r["research_id"] for r in table}


def test_research_export_refuses_too_few_children(world, http):
    sign_in(http, world.user(Role.ORG_ADMIN))
    job = export_job(http, "research_export", instrument_version=world.signed.instrument_version)
    assert job.status == JobStatus.FAILED and "at least 5" in job.error
    assert job.attempts == 1  # a refusal is not retried
    assert not job.has_result
    page = http.get(f"/jobs/{job.pk}/").content.decode()
    assert "This job failed." in page and "at least 5" in page
    assert not AuditEvent.objects.filter(action="export.research").exists()


def test_fhir_download_and_upload_pages(world, http):
    sign_in(http, world.user(Role.CLINICIAN))
    download = http.get(f"/assessments/{world.signed.pk}/fhir/")
    assert download["Content-Type"] == "application/fhir+json"
    assert "attachment" in download["Content-Disposition"]
    bundle = download.content
    assert world.child1.birth_date.isoformat().encode() not in bundle
    page = http.get(f"/clients/{world.child1.pk}/fhir/")
    assert page.status_code == 200
    before = Assessment.objects.count()
    upload = http.post(
        f"/clients/{world.child1.pk}/fhir/",
        {"file": io.BytesIO(bundle)},
        format="multipart",
    )
    assert upload.status_code == 302 and Assessment.objects.count() == before + 1
    draft = Assessment.objects.latest("pk")
    assert draft.status == "draft" and draft.scores == world.signed.scores
    assert AuditEvent.objects.filter(action="assessment.import_fhir", client=world.child1).exists()
    for content, message in (
        (b"{nope", "not valid JSON"),
        (b'{"resourceType": "Patient"}', "expected Bundle or QuestionnaireResponse"),
    ):
        bad = http.post(f"/clients/{world.child1.pk}/fhir/", {"file": io.BytesIO(content)})
        assert bad.status_code == 400 and message in bad.content.decode()
    assert Assessment.objects.count() == before + 1
    # Into a child of another team: 404. Into an older child: the age does not fit.
    other = http.post(f"/clients/{world.child2.pk}/fhir/", {"file": io.BytesIO(bundle)})
    assert other.status_code == 404
    older = ClientFactory(care_team=world.team1, birth_date=dt.date(2012, 1, 1))
    wrong = http.post(f"/clients/{older.pk}/fhir/", {"file": io.BytesIO(bundle)})
    assert wrong.status_code == 400 and "chronological_age_months" in wrong.content.decode()
    assert Assessment.objects.count() == before + 1
