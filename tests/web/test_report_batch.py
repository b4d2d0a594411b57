"""The report batch job: signed assessments' PDFs in one zip, audited, scoped to the owner."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from neuroseq.web.jobs import in_process
from neuroseq.web.models import AuditEvent, Job, JobStatus, Role
from neuroseq.web.services import jobs as job_service
from neuroseq.web.services.audit import Actor

from .helpers import make_assessment


@pytest.fixture(autouse=True)
def job_dir(settings, tmp_path):
    settings.NEUROSEQ_JOB_DIR = tmp_path / "jobs"
    settings.CELERY_BROKER_URL = None  # in-process
    return settings.NEUROSEQ_JOB_DIR


def _run(user, **params):
    job = job_service.start_job(Actor(user, user.email), "report_batch", params)
    assert in_process.wait_for_all(120)
    job.refresh_from_db()
    return job


def test_a_zip_of_one_childs_reports_each_audited(transactional_db, world, as_role):
    user = world.user(Role.CLINICIAN)
    make_assessment(world.child1, "signed", assessment_date="2026-08-01")
    before = AuditEvent.objects.filter(action="assessment.report").count()
    job = _run(user, audience="caregiver", client="A-0001")
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.message == "2 caregiver reports in the zip."
    response = as_role(Role.CLINICIAN).get(f"/jobs/{job.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == [
        f"report-A-0001-{world.signed.assessment_date:%Y-%m-%d}-caregiver.pdf",
        "report-A-0001-2026-08-01-caregiver.pdf",
    ]
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    assert AuditEvent.objects.filter(action="assessment.report").count() == before + 2


def test_another_organisations_child_is_not_found_and_bad_params_name_the_field(
    transactional_db, world
):
    user = world.user(Role.CLINICIAN)
    make_assessment(world.other_child, "signed")
    job = _run(user, client="B-0001")
    assert job.status == JobStatus.FAILED
    assert job.error == "client: no signed assessment of 'B-0001' that you can see"
    count = Job.objects.count()
    with pytest.raises(ValidationError) as caught:
        job_service.start_job(Actor(user, user.email), "report_batch", {"audience": "neighbour"})
    assert "audience" in str(caught.value)
    assert Job.objects.count() == count


def test_the_jobs_page_offers_the_batch_to_clinicians_not_to_families(world, as_role):
    assert "PDF reports (zip)" in as_role(Role.CLINICIAN).get("/jobs/").content.decode()
    assert as_role(Role.VIEWER).get("/jobs/start/report_batch/").status_code in {403, 405}
