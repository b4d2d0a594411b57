"""Job kinds: one registered function each.

::

    @job_kind("cohort_scores", title="...", description="...", permission="export.cohort_scores",
              params=CohortScoresParams)
    def cohort_scores(job: JobContext) -> JobOutcome:
        ...

``permission`` is an action of ``permissions.MATRIX``: who may start the job. The function
runs with the owner's visibility (``job.owner``), reports progress with ``job.progress``,
writes at most one result file with ``job.result_file`` and returns a ``JobOutcome``.
It raises ``JobError`` for a failure the owner should read as it is; anything else is
logged and shown as an unexpected error. ``retry_safe`` says whether running it again
after a temporary error (a lost database connection, a worker that died) is harmless:
true for anything that only reads records and writes its own result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from neuroseq.web.jobs.context import JobContext


class JobError(Exception):
    """An expected failure; its message is shown to the job's owner as it is."""


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job says: one sentence, whether it needs attention, small details."""

    message: str
    alert: bool = False
    details: dict[str, Any] = field(default_factory=dict)


class NoParams(BaseModel):
    model_config = {"extra": "forbid"}


@dataclass(frozen=True)
class JobKind:
    name: str
    title: str
    description: str
    permission: str
    run: Callable[[JobContext], JobOutcome]
    params: type[BaseModel] = NoParams
    retry_safe: bool = True
    form_template: str | None = None


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    title: str,
    description: str,
    permission: str,
    params: type[BaseModel] = NoParams,
    retry_safe: bool = True,
    form_template: str | None = None,
) -> Callable[[Callable[[JobContext], JobOutcome]], Callable[[JobContext], JobOutcome]]:
    """Register ``run`` as the job kind ``name`` (a slug: lower case, digits, ``_``)."""
    if not name.replace("_", "").isalnum() or not name.islower():
        raise ValueError(f"job kind name: expected a lower-case slug, got {name!r}")

    def register(run: Callable[[JobContext], JobOutcome]) -> Callable[[JobContext], JobOutcome]:
        if name in KINDS and KINDS[name].run is not run:
            raise ValueError(f"job kind {name!r} is registered twice")
        KINDS[name] = JobKind(
            name, title, description, permission, run, params, retry_safe, form_template
        )
        return run

    return register


def get_kind(name: str) -> JobKind:
    """The registered kind (after importing the shipped kinds); KeyError if unknown."""
    from neuroseq.web.jobs import kinds  # noqa: F401  (registers the shipped kinds)

    return KINDS[name]


def all_kinds() -> list[JobKind]:
    from neuroseq.web.jobs import kinds  # noqa: F401

    return sorted(KINDS.values(), key=lambda kind: kind.title)
