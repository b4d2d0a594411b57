"""Background jobs: start one, follow its progress, download its result."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from neuroseq.instrument import DEFAULT_VERSION
from neuroseq.web.jobs.access import get_job, visible_jobs
from neuroseq.web.jobs.registry import JobKind, all_kinds
from neuroseq.web.permissions import can
from neuroseq.web.services import jobs as service
from neuroseq.web.views.common import actor, clinic_view

BOOLEAN_OFF = {"", "0", "false", "off", "no"}


def _titles() -> dict[str, str]:
    return {k.name: k.title for k in all_kinds()}


def _startable(request: HttpRequest) -> list[JobKind]:
    return [k for k in all_kinds() if can(request.user, k.permission)]  # type: ignore[arg-type]


def _list(request: HttpRequest, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    """The user's jobs and the kinds they may start; ``errors``: kind -> problems."""
    page = Paginator(visible_jobs(request.user), 25).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    for job in page.object_list:
        job.title = _titles().get(job.kind, job.kind)
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "kinds": _startable(request),
            "errors": errors or {},
            "default_instrument": DEFAULT_VERSION,
        },
        status=400 if errors else 200,
    )


@clinic_view("job.view")
def job_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


def _params(request: HttpRequest, kind: JobKind) -> dict[str, object]:
    """Form fields as the kind's parameters; a checkbox sends "on" or nothing."""
    raw: dict[str, object] = {}
    for name, field in kind.params.model_fields.items():
        if field.annotation is bool:
            raw[name] = request.POST.get(name, "").strip().lower() not in BOOLEAN_OFF
        elif name in request.POST:
            raw[name] = request.POST[name]
    unknown = set(request.POST) - set(kind.params.model_fields) - {"csrfmiddlewaretoken"}
    for name in unknown:
        raw[name] = request.POST[name]  # the kind's model refuses it with a clear message
    return raw


@require_POST
@clinic_view("job.view")
def job_start(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = {k.name: k for k in all_kinds()}.get(kind)
    if chosen is None:
        raise Http404("no such job kind")
    try:
        job = service.start_job(actor(request), kind, _params(request, chosen))
    except ValidationError as error:
        problems = [f"{field}: {m}" for field, ms in error.message_dict.items() for m in ms]
        return _list(request, {kind: problems})
    return redirect("job_detail", pk=job.pk)


@clinic_view("job.view")
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_job(request.user, pk)  # type: ignore[arg-type]
    kinds = {k.name: k for k in all_kinds()}
    return render(request, "jobs/detail.html", {"job": job, "kind": kinds.get(job.kind)})


@clinic_view("job.view")
def job_status(request: HttpRequest, pk: str) -> JsonResponse:
    """What the job page polls while the job runs."""
    job = get_job(request.user, pk)  # type: ignore[arg-type]
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "note": job.progress_note,
            "finished": job.is_finished,
        }
    )


@clinic_view("job.view")
def job_download(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_job(request.user, pk)  # type: ignore[arg-type]
    if not job.has_result:
        raise Http404("this job has no file to download")
    root = Path(settings.NEUROSEQ_JOB_DIR).resolve()
    path = (root / job.result_path).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404("the result file is no longer available")
    service.record_download(actor(request), job)
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.result_type
    )
    return response
