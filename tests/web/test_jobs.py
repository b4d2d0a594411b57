"""Background jobs: pages, permissions, the runner, in-process threads and Celery on Redis.

The Celery tests run a real worker (in a thread, ``celery.contrib.testing``) against the
Redis server at ``NEUROSEQ_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/6``). When
it does not answer they are skipped with that reason, except under ``CI=true``, where
they fail: CI has Redis.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import uuid

import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, transaction

from neuroseq.web.jobs import in_process
from neuroseq.web.jobs.context import JobContext
from neuroseq.web.jobs.dispatch import QUEUE_DOWN
from neuroseq.web.jobs.kinds.audit_verify import audit_verify
from neuroseq.web.jobs.registry import JobError, JobOutcome, NoParams, job_kind
from neuroseq.web.jobs.runner import UNEXPECTED, Attempt, execute
from neuroseq.web.models import Assessment, AssessmentStatus, AuditEvent, Job, JobStatus, Role
from neuroseq.web.services import jobs as job_service
from neuroseq.web.services.audit import Actor, verify_chain

from .factories import ClientFactory
from .helpers import make_assessment, sign_in

REDIS_URL = os.environ.get("NEUROSEQ_TEST_REDIS_URL", "redis://127.0.0.1:6379/6")
WAIT = 60


@pytest.fixture(autouse=True)
def job_dir(settings, tmp_path):
    settings.NEUROSEQ_JOB_DIR = tmp_path / "jobs"
    settings.CELERY_BROKER_URL = None  # in-process unless a test says otherwise
    return settings.NEUROSEQ_JOB_DIR


# Test-only job kinds, each failing in one particular way; only org admins may start them
# (so the pages the role tests look at do not list them).
FLAKY_CALLS: list[int] = []


@job_kind("test_refuses", title="T refuses", description="", permission="members.manage")
def _refuses(job: JobContext) -> JobOutcome:
    raise JobError("the input names no clients: choose at least one")


@job_kind("test_crashes", title="T crashes", description="", permission="members.manage")
def _crashes(job: JobContext) -> JobOutcome:
    raise RuntimeError("secret internal detail")


@job_kind("test_flaky", title="T flaky", description="", permission="members.manage")
def _flaky(job: JobContext) -> JobOutcome:
    FLAKY_CALLS.append(job.job.attempts)
    if job.job.attempts < 2:
        raise OperationalError("server closed the connection unexpectedly")
    return JobOutcome("worked on the second attempt")


@job_kind(
    "test_unsafe", title="T unsafe", description="", permission="members.manage", retry_safe=False
)
def _unsafe(job: JobContext) -> JobOutcome:
    raise OperationalError("lost the connection")


def _start(user, kind, params=None):
    return job_service.start_job(Actor(user, user.email), kind, params or {})


def _csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body)))


# --- pages and permissions -------------------------------------------------------------


def test_jobs_page_offers_the_kinds_each_role_may_start(world, as_role):
    admin = as_role(Role.ORG_ADMIN).get("/jobs/").content.decode()
    assert "Verify the audit trail" in admin and "Export cohort scores" in admin
    clinician = as_role(Role.CLINICIAN).get("/jobs/").content.decode()
    assert "Export cohort scores" in clinician and "Verify the audit trail" not in clinician
    trainee = as_role(Role.TRAINEE).get("/jobs/").content.decode()
    assert "Start a job" not in trainee and "No jobs yet" in trainee


def test_a_role_without_the_kinds_permission_is_refused(world, as_role):
    response = as_role(Role.CLINICIAN).post("/jobs/start/audit_verify/")
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_starting_a_job_returns_at_once_and_is_audited(world, as_role):
    response = as_role(Role.CLINICIAN).post("/jobs/start/cohort_scores/", {"signed_only": "on"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.QUEUED  # the queue gets it only after the commit
    assert job.owner == world.user(Role.CLINICIAN)
    listed = as_role(Role.CLINICIAN).get("/jobs/").content.decode()
    assert f'href="/jobs/{job.pk}/">Export cohort scores (CSV)</a>' in listed
    assert job.params == {"signed_only": True}
    event = AuditEvent.objects.filter(action="job.start").get()
    assert event.details == {"kind": "cohort_scores", "params": {"signed_only": True}}
    assert event.object_id == str(job.pk)


def test_an_unticked_checkbox_means_false(world, as_role):
    as_role(Role.CLINICIAN).post("/jobs/start/cohort_scores/", {})
    assert Job.objects.get().params == {"signed_only": False}


def test_bad_parameters_name_the_field_and_create_nothing(world, as_role):
    http = as_role(Role.CLINICIAN)
    response = http.post("/jobs/start/cohort_scores/", {"signed_only": "on", "limit": "5"})
    assert response.status_code == 400
    assert "limit: Extra inputs are not permitted" in response.content.decode()
    assert http.post("/jobs/start/no_such_kind/").status_code == 404
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action="job.start").exists()


def test_only_the_owner_sees_a_job(world, as_role, http):
    job = _start(world.user(Role.CLINICIAN), "cohort_scores")
    urls = [f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/", f"/jobs/{job.pk}/download/"]
    owner = as_role(Role.CLINICIAN)
    assert owner.get(urls[0]).status_code == 200
    assert owner.get(urls[1]).json()["status"] == "queued"
    assert owner.get(urls[2]).status_code == 404  # nothing to download yet
    for other in (world.user(Role.ORG_ADMIN), world.user(Role.SUPERVISOR), world.other.user):
        sign_in(http, other)
        assert [http.get(url).status_code for url in urls] == [404, 404, 404], other.email
    assert owner.get(f"/jobs/{uuid.uuid4()}/").status_code == 404


def test_a_result_outside_the_job_folder_is_never_served(world, as_role):
    job = _start(world.user(Role.CLINICIAN), "cohort_scores")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, result_path="../../etc/passwd", result_name="passwd"
    )
    assert as_role(Role.CLINICIAN).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_job_page_shows_progress_then_the_outcome(world, as_role):
    job = _start(world.user(Role.CLINICIAN), "cohort_scores")
    http = as_role(Role.CLINICIAN)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=40, progress_note="40 of 100 assessments"
    )
    page = http.get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress id="job-progress" max="100" value="40">' in page
    assert "40 of 100 assessments" in page and "neuroseq/jobs.js" in page
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="It went wrong.")
    page = http.get(f"/jobs/{job.pk}/").content.decode()
    assert "This job failed." in page and "It went wrong." in page and "<progress" not in page


def test_audit_page_starts_the_verification_as_a_job(world, as_role):
    page = as_role(Role.ORG_ADMIN).get("/audit/").content.decode()
    assert 'action="/jobs/start/audit_verify/"' in page


def test_verification_reports_a_broken_chain_as_an_alert(world):
    job = _start(world.user(Role.ORG_ADMIN), "audit_verify")
    victim = AuditEvent.objects.order_by("seq")[1]
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER audit_event_no_update ON clinic_auditevent")
            else:
                cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("UPDATE clinic_auditevent SET action = 'x' WHERE id = %s", [victim.pk])
        outcome = audit_verify(JobContext(job, NoParams()))
        transaction.set_rollback(True)
    assert outcome.alert and outcome.details["ok"] is False
    assert outcome.message.startswith(
        f"Hash chain broken at one of your organisation's events: event #{victim.seq} was altered"
    )


# --- the runner ---------------------------------------------------------------------------


@pytest.fixture
def admin(transactional_db, world):
    return world.user(Role.ORG_ADMIN)


def test_an_expected_failure_is_shown_as_it_is(admin):
    job = _start(admin, "test_refuses")
    assert in_process.wait_for_all(WAIT)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1
    assert job.error == "the input names no clients: choose at least one"
    assert AuditEvent.objects.filter(action="job.fail", object_id=str(job.pk)).exists()


def test_an_unexpected_error_is_logged_not_shown(admin, caplog):
    with caplog.at_level(logging.ERROR, logger="neuroseq.web.jobs.runner"):
        job = _start(admin, "test_crashes")
        assert in_process.wait_for_all(WAIT)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == UNEXPECTED.format(job_id=job.pk)
    assert "secret internal detail" not in job.error
    assert any("secret internal detail" in r.exc_text for r in caplog.records if r.exc_text)


def test_a_temporary_error_is_retried_when_safe(admin, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # never reached: we run it here
    job = Job.objects.create(
        kind="test_flaky", owner=admin, organisation=admin.membership.organisation
    )
    FLAKY_CALLS.clear()
    assert execute(str(job.pk)) is Attempt.RETRY
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "retrying" in job.progress_note
    assert execute(str(job.pk)) is Attempt.DONE
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (
        JobStatus.SUCCEEDED,
        2,
        "worked on the second attempt",
    )
    assert FLAKY_CALLS == [1, 2]
    assert execute(str(job.pk)) is Attempt.SKIPPED  # a duplicate delivery changes nothing
    assert FLAKY_CALLS == [1, 2]


def test_a_job_that_is_not_retry_safe_fails_instead(admin):
    job = Job.objects.create(
        kind="test_unsafe", owner=admin, organisation=admin.membership.organisation
    )
    assert execute(str(job.pk)) is Attempt.DONE
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 1


def test_an_interrupted_job_runs_again_only_if_retry_safe(admin):
    org = admin.membership.organisation
    safe = Job.objects.create(
        kind="test_flaky", owner=admin, organisation=org, status=JobStatus.RUNNING, attempts=1
    )
    unsafe = Job.objects.create(
        kind="test_unsafe", owner=admin, organisation=org, status=JobStatus.RUNNING, attempts=1
    )
    assert execute(str(safe.pk)) is Attempt.DONE
    assert execute(str(unsafe.pk)) is Attempt.DONE
    safe.refresh_from_db()
    unsafe.refresh_from_db()
    assert safe.status == JobStatus.SUCCEEDED
    assert unsafe.status == JobStatus.FAILED and "interrupted" in unsafe.error


# --- the whole way, in-process ---------------------------------------------------------------


def _check_cohort_export(world, http, job):
    """The CSV holds exactly the owner's visible, current signed assessments and their scores."""
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100
    rows = _csv(http.get(f"/jobs/{job.pk}/download/"))
    expected = Assessment.objects.filter(
        client__care_team=world.team1, status=AssessmentStatus.SIGNED
    )
    assert {int(r["assessment_id"]) for r in rows} == {a.pk for a in expected}
    for row in rows:
        stored = Assessment.objects.get(pk=row["assessment_id"])
        assert float(row["functional_score"]) == stored.scores["functional_score"]
        assert (
            float(row["domain_scores.relational"]) == stored.scores["domain_scores"]["relational"]
        )
        assert row["client"] == stored.client.display_id
    assert "B-0001" not in {r["client"] for r in rows} and "A-0002" not in {
        r["client"] for r in rows
    }
    export = AuditEvent.objects.get(action="export.cohort_scores")
    assert export.details["client_ids"] == [world.child1.pk]
    assert AuditEvent.objects.filter(action="job.download", object_id=str(job.pk)).count() == 1
    assert verify_chain().ok
    return rows


def test_an_in_process_job_starts_only_when_its_request_has_finished(transactional_db, world):
    request_started.send(sender=None)
    job = _start(world.user(Role.ORG_ADMIN), "audit_verify")  # committed: dispatched
    assert in_process.wait_for_all(0)  # nothing submitted yet: the request is still going
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    request_finished.send(sender=None)
    assert in_process.wait_for_all(WAIT)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def test_cohort_export_runs_in_process(transactional_db, world, as_role):
    make_assessment(world.child2, "signed")  # team 2: not visible to a team-1 clinician
    http = as_role(Role.CLINICIAN)
    response = http.post("/jobs/start/cohort_scores/", {"signed_only": "on"})
    assert response.status_code == 302
    assert in_process.wait_for_all(WAIT)
    job = Job.objects.get()
    rows = _check_cohort_export(world, http, job)
    assert len(rows) == 1
    assert f"{len(rows)} signed assessments of 1 clients exported." == job.message


def test_a_formula_in_a_client_id_is_defused(transactional_db, world, as_role):
    child = ClientFactory(care_team=world.team1, display_id="=HYPERLINK(1)")
    make_assessment(child, "signed")
    http = as_role(Role.CLINICIAN)
    _start(world.user(Role.CLINICIAN), "cohort_scores")
    assert in_process.wait_for_all(WAIT)
    rows = _csv(http.get(f"/jobs/{Job.objects.get().pk}/download/"))
    assert "'=HYPERLINK(1)" in {r["client"] for r in rows}


def test_audit_verification_runs_in_process(transactional_db, world, as_role):
    http = as_role(Role.ORG_ADMIN)
    _start(world.user(Role.ORG_ADMIN), "audit_verify")
    assert in_process.wait_for_all(WAIT)
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED and not job.alert
    page = http.get(f"/jobs/{job.pk}/").content.decode()
    assert "Hash chain intact" in page and "Download" not in page


# --- the whole way, on Celery and Redis ---------------------------------------------------


def _bind(app, broker_url, result_backend=None):
    """Point the Celery app at another broker, dropping connections to the previous one."""
    app._pool = None  # kombu keeps one pool per broker address; the old one stays usable
    app.amqp._producer_pool = None
    app.conf.update(broker_url=broker_url, result_backend=result_backend)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def celery_on_redis(transactional_db, settings):
    """A real Celery worker (in a thread) on the real Redis; jobs go to it, not to threads."""
    if not _redis_answers(REDIS_URL):
        message = f"Redis is not answering at {REDIS_URL}: the Celery job tests did not run"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: Redis must answer)")
        pytest.skip(message)
    from celery.contrib.testing.worker import start_worker

    from neuroseq.web.jobs.celery import app

    settings.CELERY_BROKER_URL = REDIS_URL
    saved = (app.conf.broker_url, app.conf.result_backend)
    _bind(app, REDIS_URL, REDIS_URL)
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield app
    finally:
        _bind(app, *saved)


def test_cohort_export_on_celery_and_redis(celery_on_redis, world, as_role):
    http = as_role(Role.CLINICIAN)
    job = _start(world.user(Role.CLINICIAN), "cohort_scores")
    assert celery_on_redis.AsyncResult(str(job.pk)).get(timeout=WAIT) == "done"
    _check_cohort_export(world, http, job)


@pytest.mark.slow
def test_celery_retries_a_temporary_error(celery_on_redis, world):
    FLAKY_CALLS.clear()
    job = _start(world.user(Role.ORG_ADMIN), "test_flaky")
    assert celery_on_redis.AsyncResult(str(job.pk)).get(timeout=WAIT) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)


def test_a_queue_that_is_down_fails_the_job_not_the_page(
    transactional_db, world, as_role, settings
):
    from neuroseq.web.jobs.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    saved = (app.conf.broker_url, app.conf.result_backend)
    _bind(app, settings.CELERY_BROKER_URL)
    try:
        response = as_role(Role.CLINICIAN).post("/jobs/start/cohort_scores/", {})
    finally:
        _bind(app, *saved)
    job = Job.objects.get()
    assert response.status_code == 302
    assert job.status == JobStatus.FAILED and job.error == QUEUE_DOWN
