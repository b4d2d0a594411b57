"""What a running job's function gets: the job, its owner, progress and a result file."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from pydantic import BaseModel

from neuroseq.web.models import Job, User

PROGRESS_EVERY_SECONDS = 1.0


def result_dir(job: Job) -> Path:
    return Path(settings.NEUROSEQ_JOB_DIR) / str(job.pk)


class JobContext:
    def __init__(self, job: Job, params: BaseModel):
        self.job = job
        self.params = params
        self._last_report = 0.0
        self._last_percent = -1

    @property
    def owner(self) -> User:
        return self.job.owner

    def progress(self, done: int, total: int, note: str = "") -> None:
        """Record how far the job is (shown on its page); cheap to call for every row."""
        percent = 100 if total <= 0 else max(0, min(100, int(100 * done / total)))
        now = time.monotonic()
        if percent == self._last_percent or (
            percent < 100 and now - self._last_report < PROGRESS_EVERY_SECONDS
        ):
            return
        self._last_report, self._last_percent = now, percent
        Job.objects.filter(pk=self.job.pk).update(
            progress=percent, progress_note=note[:200], updated_at=timezone.now()
        )

    @contextmanager
    def result_file(self, name: str, content_type: str, *, text: bool = True) -> Iterator[IO[Any]]:
        """Write the job's download; it appears only if the block finishes without error."""
        folder = result_dir(self.job)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / name
        partial = folder / f".{name}.partial"
        mode = "w" if text else "wb"
        try:
            with partial.open(mode, **({"encoding": "utf-8", "newline": ""} if text else {})) as fh:
                yield fh
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.job.result_name = name
        self.job.result_path = str(final.relative_to(settings.NEUROSEQ_JOB_DIR))
        self.job.result_type = content_type
        self.job.result_size = final.stat().st_size
