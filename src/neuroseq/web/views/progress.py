"""Progress of one child: any two signed assessments compared, and the trend across all."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.brainmap import render_trend_chart
from neuroseq.instrument import load_instrument
from neuroseq.progress import ProgressError, compare, snapshot_of, trend
from neuroseq.web.models import Assessment, AssessmentStatus, Client
from neuroseq.web.permissions import get_client
from neuroseq.web.presenters import change_map
from neuroseq.web.services import clients as client_service
from neuroseq.web.views.common import actor, clinic_view

SIX_MONTHS = dt.timedelta(days=182)
CLASS_WORDS = {
    "improved": "Improved (reliable change)",
    "deteriorated": "Deteriorated (reliable change)",
    "no reliable change": "No reliable change",
    "not comparable": "Not comparable",
}


def current_signed(client: Client) -> list[Assessment]:
    """Signed assessments that no signed correction replaces, oldest first."""
    return list(
        client.assessments.filter(status=AssessmentStatus.SIGNED)
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .order_by("assessment_date", "version")
    )


def default_pair(signed: list[Assessment]) -> tuple[Assessment, Assessment]:
    """The latest against the assessment closest to six months before it."""
    after = signed[-1]
    earlier = [a for a in signed if a.assessment_date < after.assessment_date] or signed[:-1]
    target = after.assessment_date - SIX_MONTHS
    before = min(earlier, key=lambda a: (abs((a.assessment_date - target).days), a.pk))
    return before, after


def _pick(signed: list[Assessment], raw: str | None) -> Assessment | None:
    return next((a for a in signed if str(a.pk) == (raw or "")), None)


def _signed(value: float | None) -> str:
    return "" if value is None else f"{value:+.0f}"


def _percent(value: float | None) -> str:
    return "not available" if value is None else f"{value:.0f}%"


def _fmt(value: float | None, digits: int = 0) -> str:
    return "not rated" if value is None else f"{value:.{digits}f}"


def _snapshot(a: Assessment, inst: Any) -> Any:
    return snapshot_of(parse_assessment(a.inputs, inst), inst, label=a.assessment_date.isoformat())


@clinic_view("client.view")
def client_progress(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client(request.user, pk)  # type: ignore[arg-type]
    client_service.record_read(actor(request), client, "progress")
    signed = current_signed(client)
    context: dict[str, Any] = {"client": client, "signed": signed, "error": ""}
    if len(signed) < 2:
        context["error"] = "Progress needs two signed assessments; this child has " + (
            "one." if signed else "none yet."
        )
        return render(request, "clients/progress.html", context)
    before, after = default_pair(signed)
    chosen_before = _pick(signed, request.GET.get("before"))
    chosen_after = _pick(signed, request.GET.get("after"))
    if chosen_before is not None and chosen_after is not None:
        before, after = chosen_before, chosen_after
        if after.assessment_date < before.assessment_date:
            before, after = after, before
    context.update(before=before, after=after)
    if before.pk == after.pk:
        context["error"] = "Choose two different assessments to compare."
        return render(request, "clients/progress.html", context, status=400)
    inst = load_instrument(after.instrument_version)
    try:
        comparison = compare(_snapshot(before, inst), _snapshot(after, inst), inst)
    except (ProgressError, AssessmentError) as exc:
        context["error"] = "; ".join(exc.errors)
        return render(request, "clients/progress.html", context, status=400)
    same_version = [a for a in signed if a.instrument_version == inst.version]
    chart = None
    if len(same_version) >= 2:
        try:
            chart = render_trend_chart(
                inst,
                trend([_snapshot(a, inst) for a in same_version], inst),
                id_prefix=f"trend{client.pk}",
            )
        except ProgressError:
            chart = None
    scope_words = {"total": "total", "region": "region", "domain": "domain"}
    rows = [
        {
            "scope": scope_words.get(s.scope, s.scope),
            "name": s.name,
            "before": _fmt(s.before),
            "after": _fmt(s.after),
            "difference": _signed(s.difference),
            "rci": "" if s.rci is None else f"{s.rci:+.2f}",
            "classification": s.classification,
            "words": CLASS_WORDS[s.classification],
            "differ": s.items_differ,
        }
        for s in comparison.scores
    ]
    adjusted_rows = [
        {
            "scope": scope_words.get(a.scope, a.scope),
            "name": a.name,
            "before": _percent(a.percent_before),
            "after": _percent(a.percent_after),
            "change": _signed(a.change),
            "typical_change": _signed(a.typical_change),
            "adjusted": _signed(a.adjusted_change),
            "rci": "" if a.rci is None else f"{a.rci:+.2f}",
            "classification": a.classification,
            "words": CLASS_WORDS[a.classification],
            "differ": a.items_differ,
        }
        for a in comparison.adjusted
    ]
    velocity = []
    for v in getattr(comparison, "velocity", ()):
        per_month, at_least = v.per_month, v.at_least
        velocity.append(
            {
                "domain": inst.domain(v.domain).name,
                "before": v.before.text if v.before else "not available",
                "after": v.after.text if v.after else "not available",
                "rate": f"{per_month:.2f}"
                if per_month is not None
                else (f"at least {at_least:.2f}" if at_least is not None else "not available"),
            }
        )
    changes = {c.function_id: c for c in comparison.functions}
    change_rows = [
        {
            "name": region.name,
            "functions": [
                {
                    "name": f.name,
                    "before": "-" if changes[f.id].before is None else changes[f.id].before,
                    "after": "-" if changes[f.id].after is None else changes[f.id].after,
                    "direction": changes[f.id].direction,
                }
                for f in inst.functions_in_region(region.id)
            ],
        }
        for region in reversed(inst.regions)
    ]
    context.update(
        change_rows=change_rows,
        velocity=velocity,
        change_svg=change_map(before, after),
        rows=rows,
        adjusted_rows=adjusted_rows,
        counts={d: comparison.count(d) for d in ("improved", "unchanged", "worse")},
        months=(after.assessment_date - before.assessment_date).days / (365.25 / 12),
        notes=list(comparison.notes),
        chart=chart,
        excluded=[a for a in signed if a.instrument_version != inst.version],
        threshold="1.96",
        source=comparison.reliability_source,
    )
    return render(request, "clients/progress.html", context)
