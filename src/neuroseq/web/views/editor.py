"""The draft editor: a task list and one page per step, saved by form or by autosave.

Every page works without JavaScript (a Save button posts the whole step). With it,
``static/neuroseq/editor.js`` saves each change as it is made (``editor_save``, JSON),
keeps unsaved changes on the device while the connection is down, drives the keyboard
review and swaps in the live parts (map, gate, loads) the server renders.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from neuroseq.brainmap import render_map
from neuroseq.brainmap.text import format_age
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.web.editor import steps as pages
from neuroseq.web.editor.completeness import check as check_completeness
from neuroseq.web.editor.content import Content, Op, changed_paths, put
from neuroseq.web.editor.describe import label, value_text
from neuroseq.web.editor.fields import FieldError, adversity, value_for
from neuroseq.web.models import Assessment, AssessmentStatus, ReviewOutcome
from neuroseq.web.permissions import get_assessment
from neuroseq.web.presenters import GATE_TEXT
from neuroseq.web.services import assessments as service
from neuroseq.web.views.common import actor, clinic_view
from neuroseq.web.views.review import review_context

MAX_BODY = 64 * 1024
MAX_OPS = 200
TEMPLATES = {
    "details": "editor/details.html",
    "history": "editor/history.html",
    "relational-history": "editor/relational_history.html",
    "current-relational": "editor/current_relational.html",
    "functional": "editor/functional.html",
    "flags": "editor/flags.html",
    "review": "editor/review.html",
}


def _draft(request: HttpRequest, pk: int) -> Assessment:
    return get_assessment(request.user, pk)  # type: ignore[arg-type]


def _age(assessment: Assessment) -> float:
    return float(assessment.scores.get("chronological_age_months") or 0.0)


def field_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def _returned_comments(assessment: Assessment) -> Any:
    latest = assessment.review_rounds.select_related("reviewed_by").first()
    return latest if latest is not None and latest.outcome == ReviewOutcome.RETURNED else None


def _context(
    request: HttpRequest, assessment: Assessment, step: str, content: Content, revision: int
) -> dict[str, Any]:
    inst = load_instrument(assessment.instrument_version)
    completeness = check_completeness(inst, content.inputs, content.marks)
    states = pages.step_states(inst, content, completeness, _age(assessment))
    all_steps = pages.steps_for(inst)
    nav = [
        {
            "slug": s.slug,
            "title": s.title,
            "hint": s.hint,
            "url": reverse("editor_step", args=[assessment.pk, s.slug]),
            "state": states.get(s.slug, ("", False))[0],
            "done": states.get(s.slug, ("", False))[1],
            "current": s.slug == step,
        }
        for s in all_steps
    ]
    slugs = [s.slug for s in all_steps]
    position = slugs.index(step) if step in slugs else -1
    following = nav[position + 1] if 0 <= position < len(nav) - 1 else None
    return {
        "a": assessment,
        "client": assessment.client,
        "inst": inst,
        "step": step,
        "step_title": nav[position]["title"] if position >= 0 else "Task list",
        "steps": nav,
        "next_step": following,
        "revision": revision,
        "content": content,
        "completeness": completeness,
        "age_text": format_age(_age(assessment)),
        "returned": _returned_comments(assessment),
        "save_url": reverse("editor_save", args=[assessment.pk]),
        "errors": [],
        "field_errors": {},
    }


def _not_editable(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    if assessment.status == AssessmentStatus.DRAFT:
        return None
    if assessment.status == AssessmentStatus.IN_REVIEW:
        messages.info(
            request,
            "This assessment is waiting for review. A supervising clinician can return it "
            "to you with comments if it needs changes.",
        )
    else:
        messages.info(request, "This assessment is signed and never changes; amend it instead.")
    return redirect("assessment_detail", pk=assessment.pk)


@clinic_view("assessment.edit_draft")
def editor_home(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _draft(request, pk)
    if (refused := _not_editable(request, assessment)) is not None:
        return refused
    service.record_read(actor(request), assessment)
    latest = service.latest_revision(assessment)
    context = _context(request, assessment, "", service.content_of(latest), latest.number)
    return render(request, "editor/home.html", context)


def _step_extra(
    assessment: Assessment, inst: Instrument, step: str, content: Content
) -> dict[str, Any]:
    scores = assessment.scores
    if step == "history":
        return {"h": pages.history_context(inst, content, scores)}
    if step == "relational-history":
        return {"r": pages.relational_history_context(inst, content, scores)}
    if step == "current-relational":
        current = pages.current_relational_context(inst, content, scores)
        return {"r": current, "gate_text": GATE_TEXT.get(current["gate"], "")}
    if step == "functional":
        return {
            "f": pages.functional_context(inst, content, _age(assessment)),
            "live_map": _live_map(assessment, inst, content),
            "staffing": assessment.staffings.exclude(status="closed").first(),
        }
    if step == "flags":
        return {"fl": pages.flags_context(inst, content)}
    if step == "review":
        return review_context(assessment, inst, content)
    return {}


def _live_map(assessment: Assessment, inst: Instrument, content: Content) -> str:
    ratings = {f: content.get(f"functional.{f}") for f in inst.function_ids}
    return render_map(
        inst,
        ratings,
        pseudonym=assessment.client.display_id,
        age_months=_age(assessment),
        assessment_date=assessment.assessment_date,
        title="Functional Brain Map (draft, updates as you rate)",
        synthetic=assessment.synthetic,
        id_prefix=f"live{assessment.pk}",
    )


def _render_step(
    request: HttpRequest,
    assessment: Assessment,
    step: str,
    content: Content,
    revision: int,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = _context(request, assessment, step, content, revision)
    context.update(_step_extra(assessment, context["inst"], step, content))
    context.update(extra)
    return render(request, TEMPLATES[step], context, status=status)


@clinic_view("assessment.edit_draft")
def editor_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    assessment = _draft(request, pk)
    if (refused := _not_editable(request, assessment)) is not None:
        return refused
    inst = load_instrument(assessment.instrument_version)
    if step not in pages.step_slugs(inst):
        return redirect("editor_home", pk=assessment.pk)
    latest = service.latest_revision(assessment)
    if request.method != "POST":
        service.record_read(actor(request), assessment)  # every step shows the child's record
        return _render_step(request, assessment, step, service.content_of(latest), latest.number)
    return _save_step(request, assessment, inst, step)


# --------------------------------------------------------------------------- saving
def _base_revision(request: HttpRequest, latest_number: int) -> int:
    try:
        return int(request.POST.get("revision", latest_number))
    except (TypeError, ValueError):
        return latest_number


def _form_ops(
    request: HttpRequest, inst: Instrument, step: str, base: Content, age: float
) -> list[Op]:
    """The changes a posted step form makes, against what the page showed (its base)."""
    post = request.POST
    action = post.get("action", "save")
    if step == "history":
        if action == "add":
            entry = adversity(inst, post, age)
            ops = [Op("add", "adversities", value=entry)]
            if base.marks.get("history"):
                ops.append(Op("set", "marks.history", value=None))
            return ops
        if action == "remove":
            try:
                old = json.loads(post.get("entry", ""))
            except json.JSONDecodeError:
                raise FieldError("entry", "the entry to remove was not recognised") from None
            return [Op("remove", "adversities", old=old)]
    if action == "mark":
        section = {
            "history": "history",
            "relational-history": "relational_history",
            "current-relational": "current_relational_health",
        }.get(step)
        if section is None:
            raise FieldError("mark", "nothing to mark on this page")
        path = f"marks.{section}"
        return [Op("set", path, value=value_for(inst, path, post.get("mark") or None))]
    ops = []
    for path in _step_paths(inst, step, age):
        if path not in post:
            continue  # a field the page did not show: unchanged
        value = value_for(inst, path, post.get(path))
        if value != base.get(path):
            ops.append(Op("set", path, value=value))
    return ops


def _step_paths(inst: Instrument, step: str, age: float) -> list[str]:
    if step == "details":
        return ["assessment_date", "rater"]
    if step == "relational-history":
        return [
            f"relational_history.{p.id}.{i.id}"
            for p in pages.lived_periods(inst, age)
            for i in inst.history_items
        ]
    if step == "current-relational":
        return [f"current_relational_health.{i.id}" for i in inst.current_items]
    if step == "functional":
        return [f"functional.{f}" for f in inst.function_ids]
    if step == "flags":
        return [f"clinical_flags.{f.id}" for f in pages.flags_of(inst)]
    return []


def _validation_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        lines = []
        for name, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    lines.append(message if name == "inputs" else f"{name}: {message}")
        return lines
    return list(error.messages)


def _errors_by_field(lines: list[str], step_paths: list[str]) -> tuple[dict[str, str], list[str]]:
    """Put each ``path: message`` line on its field when the field is on this page."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for line in lines:
        path, _, message = line.partition(": ")
        if path in step_paths and message:
            by_field[path] = message
        else:
            general.append(line)
    return by_field, general


def _save_step(
    request: HttpRequest, assessment: Assessment, inst: Instrument, step: str
) -> HttpResponse:
    latest = service.latest_revision(assessment)
    base_number = _base_revision(request, latest.number)
    base_revision = assessment.revisions.filter(number=base_number).first() or latest
    base = service.content_of(base_revision)
    age = _age(assessment)
    paths = _step_paths(inst, step, age)
    try:
        ops = _form_ops(request, inst, step, base, age)
        if ops:
            service.save_draft(actor(request), assessment, base_revision.number, ops, step=step)
    except FieldError as error:
        field = error.path
        return _render_step(
            request,
            assessment,
            step,
            _posted(base, request, paths),
            base_revision.number,
            status=400,
            errors=[{"field": field_id(field), "message": _field_message(inst, error)}],
            field_errors={field: error.message},
            posted=request.POST,
        )
    except service.DraftConflict as conflict:
        fresh = service.content_of(conflict.revision)
        mine = _posted(fresh, request, paths)
        return _render_step(
            request,
            assessment,
            step,
            mine,
            conflict.revision.number,
            status=409,
            conflicts=_conflict_rows(inst, conflict),
        )
    except ValidationError as error:
        by_field, general = _errors_by_field(_validation_messages(error), paths)
        if step == "details" and general:
            by_field.setdefault("assessment_date", "; ".join(general))
            general = []
        summary = [
            {"field": field_id(p), "message": f"{label(inst, p)}: {m}"} for p, m in by_field.items()
        ] + [{"field": "", "message": m} for m in general]
        return _render_step(
            request,
            assessment,
            step,
            _posted(base, request, paths),
            base_revision.number,
            status=400,
            errors=summary,
            field_errors=by_field,
            posted=request.POST,
        )
    go = request.POST.get("go", "stay")
    if go == "next":
        following = _following(inst, step)
        if following is not None:
            return redirect("editor_step", pk=assessment.pk, step=following)
    messages.success(request, "Saved.")
    anchor = {"add": "?added=1#add", "remove": "#timeline-title"}.get(
        request.POST.get("action", ""), ""
    )
    return redirect(reverse("editor_step", args=[assessment.pk, step]) + anchor)


def _field_message(inst: Instrument, error: FieldError) -> str:
    names = {
        "type": "Kind of adversity",
        "period": "When",
        "severity": "Severity",
        "chronicity": "How long",
        "note": "Note",
        "entry": "Entry",
        "mark": "Mark",
    }
    if error.path in names:
        return f"{names[error.path]}: {error.message}"
    try:
        return f"{label(inst, error.path)}: {error.message}"
    except (KeyError, StopIteration, ValueError):
        return f"{error.path}: {error.message}"


def _posted(base: Content, request: HttpRequest, paths: list[str]) -> Content:
    """The values the user sent, over ``base``, so a refused form shows what they typed."""
    inputs = json.loads(json.dumps(base.inputs))
    shown = Content(inputs, dict(base.marks))
    for path in paths:
        if path in request.POST:
            raw = request.POST.get(path)
            try:
                put(shown, path, _raw_value(path, raw))
            except (KeyError, ValueError):
                continue
    return shown


def _raw_value(path: str, raw: Any) -> Any:
    if path.startswith(("functional.", "relational_history.", "current_relational_health.")):
        return int(raw) if raw in {"0", "1", "2", "3"} else None
    if path.startswith("clinical_flags."):
        return {"yes": True, "no": False}.get(raw)
    return raw


def _following(inst: Instrument, step: str) -> str | None:
    slugs = pages.step_slugs(inst)
    return slugs[slugs.index(step) + 1] if step in slugs and step != slugs[-1] else None


def _conflict_rows(inst: Instrument, conflict: service.DraftConflict) -> list[dict[str, Any]]:
    who = conflict.revision.saved_by
    when = timezone.localtime(conflict.revision.saved_at).strftime("%H:%M")
    rows = []
    for c in conflict.conflicts:
        rows.append(
            {
                "path": c.path,
                "field": field_id(c.path),
                "label": label(inst, c.path),
                "yours": _value_words(inst, c.path, c.yours),
                "theirs": _value_words(inst, c.path, c.theirs),
                "yours_raw": c.yours,
                "theirs_raw": c.theirs,
                "who": who.email if who else "someone else",
                "when": when,
            }
        )
    return rows


def _value_words(inst: Instrument, path: str, value: Any) -> str:
    if path == "adversities":
        if value is None:
            return "removed or changed"
        return value_text(inst, path, [value])
    return value_text(inst, path, value)


# --------------------------------------------------------------------------- autosave
def _json_ops(inst: Instrument, raw_ops: Any, age: float) -> list[Op]:
    if not isinstance(raw_ops, list) or not raw_ops or len(raw_ops) > MAX_OPS:
        raise FieldError("ops", f"expected a list of 1 to {MAX_OPS} changes")
    ops = []
    for raw in raw_ops:
        if not isinstance(raw, dict):
            raise FieldError("ops", "expected each change as an object")
        kind, path = raw.get("kind"), raw.get("path")
        if not isinstance(path, str):
            raise FieldError("ops", "expected a field path")
        if path == "adversities":
            if kind not in {"add", "remove", "replace"}:
                raise FieldError(path, "expected add, remove or replace")
            value = adversity(inst, raw.get("value") or {}, age) if kind != "remove" else None
            old = raw.get("old") if kind != "add" else None
            if old is not None and not isinstance(old, dict):
                raise FieldError(path, "expected the entry being changed")
            ops.append(Op(kind, path, value=value, old=old))
            continue
        if kind != "set":
            raise FieldError(path, "expected a 'set' change")
        value = value_for(inst, path, raw.get("value"))
        if "seen" in raw:
            ops.append(Op("set", path, value=value, seen=value_for(inst, path, raw.get("seen"))))
        else:
            ops.append(Op("set", path, value=value))
    return ops


def fragments(
    assessment: Assessment, inst: Instrument, step: str, content: Content
) -> dict[str, str]:
    """The live parts of a step, rendered fresh after a save."""
    scores = assessment.scores
    if step == "functional":
        completeness = check_completeness(inst, content.inputs, content.marks)
        return {
            "live-map": _live_map(assessment, inst, content),
            "coverage": render_to_string(
                "editor/_coverage.html", {"completeness": completeness, "inst": inst}
            ),
        }
    if step == "current-relational":
        current = pages.current_relational_context(inst, content, scores)
        return {
            "gate-panel": render_to_string(
                "editor/_gate.html",
                {"r": current, "gate_text": GATE_TEXT.get(current["gate"], "")},
            )
        }
    if step == "relational-history":
        return {
            "relational-scores": render_to_string(
                "editor/_relational_scores.html",
                {"r": pages.relational_history_context(inst, content, scores)},
            )
        }
    return {}


@require_POST
@clinic_view("assessment.edit_draft")
def editor_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave: JSON in (``revision``, ``step``, ``ops``), JSON out; never a 500 page."""
    assessment = _draft(request, pk)
    if assessment.status != AssessmentStatus.DRAFT:
        return JsonResponse(
            {
                "error": f"this assessment is {assessment.get_status_display().lower()}: "
                "it can no longer be edited here"
            },
            status=409,
        )
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": f"request larger than {MAX_BODY} bytes"}, status=413)
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": "expected a JSON object"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "expected a JSON object"}, status=400)
    inst = load_instrument(assessment.instrument_version)
    step = body.get("step") if body.get("step") in TEMPLATES else ""
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        return JsonResponse(
            {"errors": {"revision": "expected the page's revision number"}}, status=400
        )
    try:
        ops = _json_ops(inst, body.get("ops"), _age(assessment))
        saved = service.save_draft(
            actor(request), assessment, revision, ops, step=step or "autosave"
        )
    except FieldError as error:
        return JsonResponse({"errors": {error.path: _field_message(inst, error)}}, status=400)
    except service.DraftConflict as conflict:
        return JsonResponse(
            {"revision": conflict.revision.number, "conflicts": _conflict_rows(inst, conflict)},
            status=409,
        )
    except ValidationError as error:
        lines = _validation_messages(error)
        return JsonResponse({"errors": {"": "; ".join(lines)}}, status=400)
    assessment.refresh_from_db()
    content = service.content_of(saved)
    base = assessment.revisions.filter(number=revision).first()
    mine = {op.path for op in ops}
    others = []
    if base is not None:
        for path in changed_paths(service.content_of(base), content):
            if path not in mine and path != "adversities":
                others.append(
                    {
                        "path": path,
                        "value": content.get(path),
                        "label": label(inst, path),
                        "field": field_id(path),
                    }
                )
    return JsonResponse(
        {
            "revision": saved.number,
            "saved_at": timezone.localtime(saved.saved_at).strftime("%H:%M:%S"),
            "fragments": fragments(assessment, inst, step, content),
            "others": others,
        }
    )
