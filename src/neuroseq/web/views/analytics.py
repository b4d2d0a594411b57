"""The analytics page: challenges vs function, its models, outcomes, and the clients behind
each outcome count. Organisation admins and supervising clinicians (``analytics.view``).

The numbers are aggregated over the whole organisation (de-identified: a count, a line, a
point without a name); record-level output, the clients behind a count and the CSV, lists
only the clients the viewer may see, and says how many others were counted.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from neuroseq.cohort.outcomes import CLASSES
from neuroseq.instrument import load_instrument
from neuroseq.interop.csv_cells import safe_row
from neuroseq.progress.rci import RELIABLE_THRESHOLD
from neuroseq.web import analytics
from neuroseq.web.models import CareTeam, Client
from neuroseq.web.models.analytics import DOMAIN_FIELDS, PERIOD_FIELDS, REGION_FIELDS, SCALARS
from neuroseq.web.permissions import membership_of, visible_clients
from neuroseq.web.services.audit import record
from neuroseq.web.views.common import actor, clinic_view

PER_PAGE = 50
Y_CHOICES = [
    ("age_typical_percent", "Age-adjusted: percent of the typical child of the same age"),
    ("functional_score", "Raw Functional Score (not adjusted for age)"),
]
COLOUR_CHOICES = [
    ("history", "Relational health history"),
    ("current", "Current relational health"),
]
CSV_FIELDS = [
    *SCALARS.values(),
    *(f for pair in REGION_FIELDS.values() for f in pair),
    *(f for pair in DOMAIN_FIELDS.values() for f in pair),
    *PERIOD_FIELDS.values(),
]


class AnalyticsFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        label="Care team", queryset=CareTeam.objects.none(), required=False, empty_label="All"
    )
    date_from = forms.DateField(
        label="Assessed from (YYYY-MM-DD)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label="Assessed to (YYYY-MM-DD)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    y = forms.ChoiceField(
        label="Functioning axis", choices=Y_CHOICES, required=False, initial=Y_CHOICES[0][0]
    )
    colour = forms.ChoiceField(
        label="Colour points by", choices=COLOUR_CHOICES, required=False, initial="history"
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = CareTeam.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "Expected a date on or after the From date.")
        data["y"] = data.get("y") or Y_CHOICES[0][0]
        data["colour"] = data.get("colour") or "history"
        return data


def _selection(request: HttpRequest) -> tuple[AnalyticsFilterForm, analytics.Selection | None]:
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    form = AnalyticsFilterForm(request.GET or None, organisation_id=membership.organisation_id)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    team = data.get("team")
    return form, analytics.Selection(
        organisation_id=membership.organisation_id,
        team_id=team.pk if team else None,
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def _filters(request: HttpRequest) -> dict[str, str]:
    keys = ("team", "date_from", "date_to", "y", "colour")
    return {k: request.GET[k] for k in keys if request.GET.get(k)}


@clinic_view("analytics.view")
def analytics_page(request: HttpRequest) -> HttpResponse:
    form, selection = _selection(request)
    filters = _filters(request)
    if selection is None:
        return render(request, "analytics/page.html", {"form": form}, status=400)
    rows = selection.rows()
    if request.GET.get("format") == "csv":
        return _csv(request, rows, filters)
    record(actor(request), "analytics.view", details={"filters": filters})
    chosen = form.cleaned_data if request.GET else {}
    context: dict[str, Any] = {
        "form": form,
        "query": urlencode(filters),
        "threshold": RELIABLE_THRESHOLD,
        "classes": CLASSES,
        **analytics.page_figures(
            actor(request),
            selection,
            outcome=chosen.get("y", "age_typical_percent"),
            colour=chosen.get("colour", "history"),
            filters=filters,
        ),
    }
    return render(request, "analytics/page.html", context)


@clinic_view("analytics.view")
def analytics_clients(request: HttpRequest) -> HttpResponse:
    """The clients behind one outcome count: those the viewer may see, others counted."""
    form, selection = _selection(request)
    inst = load_instrument()
    label, klass = request.GET.get("scope", ""), request.GET.get("result", "")
    found = analytics.find_scope(inst, label)
    errors = []
    if found is None:
        errors.append(f"scope: expected a score of the outcomes table, got {label!r}")
    if klass not in CLASSES:
        errors.append(f"result: expected one of {', '.join(CLASSES)}, got {klass!r}")
    if selection is None or errors:
        return render(
            request, "analytics/clients.html", {"form": form, "errors": errors}, status=400
        )
    ids = analytics.clients_in(inst, selection.rows(), label, klass)
    visible = set(
        visible_clients(request.user).values_list("pk", flat=True)  # type: ignore[arg-type]
    )
    listed = [i for i in ids if i in visible]
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    shown = sorted(
        Client.objects.filter(pk__in=list(page.object_list)).select_related("care_team"),
        key=lambda c: c.display_id,
    )
    record(
        actor(request),
        "analytics.clients",
        details={"scope": label, "result": klass, "client_ids": [c.pk for c in shown]},
    )
    assert found is not None
    filters = _filters(request)
    return render(
        request,
        "analytics/clients.html",
        {
            "scope": found[1],
            "klass": klass,
            "clients": shown,
            "page": page,
            "listed": len(listed),
            "hidden": len(ids) - len(listed),
            "query": urlencode(filters),
            "page_query": urlencode({**filters, "scope": label, "result": klass}),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(request: HttpRequest, rows: Any, filters: dict[str, str]) -> StreamingHttpResponse:
    """The stored rows behind the page, for the clients the viewer may see."""
    visible = rows.filter(client__in=visible_clients(request.user))  # type: ignore[arg-type]
    hidden = rows.count() - visible.count()
    record(actor(request), "analytics.export", details={"filters": filters, "not_listed": hidden})
    writer = csv.writer(_Echo())
    columns = ["client", "assessment_id", "assessed_on", "synthetic", *CSV_FIELDS]

    def lines():  # type: ignore[no-untyped-def]
        yield writer.writerow(columns)
        chosen = visible.order_by("client__display_id", "assessed_on", "pk").values_list(
            "client__display_id", "assessment_id", "assessed_on", "synthetic", *CSV_FIELDS
        )
        for row in chosen.iterator(chunk_size=2000):
            display, assessment, day, synthetic, *numbers = row
            yield writer.writerow(
                safe_row(
                    [
                        display,
                        assessment,
                        day.isoformat(),
                        "true" if synthetic else "false",
                        *("" if v is None else repr(float(v)) for v in numbers),
                    ]
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="analytics-{stamp}.csv"'
    return response
