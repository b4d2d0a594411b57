"""Background jobs: long work (audit-chain checks, exports) that must never block a request.

A ``Job`` row is the truth about a job: who asked for it, in which organisation, its
status and progress, the message and file it produced, or why it failed. The queue
(Celery on Redis, or threads in the web process) only carries the job's id.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from neuroseq.web.models.accounts import Organisation


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class Job(models.Model):
    # A random id: it is also the queue's task id, and guessing one shows nothing (404).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60, help_text="a registered job kind")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="percent done")
    progress_note = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True, help_text="the outcome, in words, for the page")
    alert = models.BooleanField(default=False, help_text="the outcome needs attention")
    details = models.JSONField(default=dict, blank=True)
    result_name = models.CharField(max_length=200, blank=True, help_text="download file name")
    result_path = models.CharField(max_length=300, blank=True, help_text="under the job dir")
    result_type = models.CharField(max_length=100, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True, help_text="why it failed, shown to the owner")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"job {self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def has_result(self) -> bool:
        return self.status == JobStatus.SUCCEEDED and bool(self.result_path)
