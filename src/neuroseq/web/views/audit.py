"""The audit log page for organisation admins: filters, CSV download, chain check."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from neuroseq.interop.csv_cells import safe_row
from neuroseq.web.forms import AuditFilterForm
from neuroseq.web.models import AuditEvent, Client
from neuroseq.web.permissions import membership_of
from neuroseq.web.services import audit_chain
from neuroseq.web.services.audit import record
from neuroseq.web.views.common import actor, clinic_view

CSV_COLUMNS = [
    "seq",
    "time_utc",
    "actor",
    "action",
    "object_type",
    "object_id",
    "client",
    "ip",
    "details",
    "hash",
]


def _filtered(request: HttpRequest, form: AuditFilterForm) -> QuerySet[AuditEvent]:
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None
    events = AuditEvent.objects.filter(organisation_id=membership.organisation_id).select_related(
        "client"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            events = events.filter(actor_label__icontains=data["user"].strip())
        if data["client"]:
            events = events.filter(client__display_id__iexact=data["client"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(
                created_at__gte=datetime.combine(data["date_from"], time.min, tz)
            )
        if data["date_to"]:
            events = events.filter(created_at__lte=datetime.combine(data["date_to"], time.max, tz))
    else:
        events = events.none()
    return events.order_by("-seq")


#: Detail keys whose values are client ids: shown as the clients' pseudonyms.
CLIENT_KEYS = {"client_ids", "client_id", "client"}
#: At most this many pseudonyms of one list are spelled out; the rest are counted.
LISTED = 10


def _value(value: Any) -> str:
    if value is None or value in ({}, [], ""):
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    return str(value)


def _clients(ids: Iterable[Any], names: dict[int, str]) -> str:
    shown = [names.get(i, f"#{i}") for i in ids if isinstance(i, int)]
    if not shown:
        return "none"
    more = len(shown) - LISTED
    return ", ".join(shown[:LISTED]) + (f" and {more} more" if more > 0 else "")


def _client_ids(events: Iterable[AuditEvent]) -> set[int]:
    ids: set[int] = set()
    for e in events:
        if e.object_type == "client" and e.object_id.isdigit():
            ids.add(int(e.object_id))
        for key in CLIENT_KEYS & set(e.details or {}):
            value = e.details[key]
            values = value if isinstance(value, list) else [value]
            ids.update(v for v in values if isinstance(v, int))
    return ids


def readable_events(events: list[AuditEvent], organisation_id: int) -> list[dict[str, Any]]:
    """Each event's object and details in words: ``key: value`` pairs, clients by pseudonym.

    Only this organisation's clients are named; an id of another organisation (there
    should be none) stays a bare number rather than leaking a pseudonym.
    """
    names = dict(
        Client.objects.filter(
            organisation_id=organisation_id, pk__in=_client_ids(events)
        ).values_list("pk", "display_id")
    )
    rows = []
    for e in events:
        if e.object_type == "client" and e.object_id.isdigit():
            thing = f"client {names.get(int(e.object_id), '#' + e.object_id)}"
        else:
            thing = f"{e.object_type.replace('_', ' ')} {e.object_id}".strip()
        details = []
        for key, value in (e.details or {}).items():
            if key in CLIENT_KEYS:
                text = _clients(value if isinstance(value, list) else [value], names)
            else:
                text = _value(value)
            details.append((key.replace("_", " "), text))
        rows.append({"event": e, "object": thing, "details": details})
    return rows


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows():  # type: ignore[no-untyped-def]
        yield writer.writerow(CSV_COLUMNS)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                safe_row(
                    [
                        e.seq,
                        e.created_at.isoformat(),
                        e.actor_label,
                        e.action,
                        e.object_type,
                        e.object_id,
                        e.client.display_id if e.client else "",
                        e.ip_address or "",
                        json.dumps(e.details, sort_keys=True, default=str),
                        e.hash,
                    ]
                )
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@clinic_view("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or {})
    events = _filtered(request, form)
    filters = {k: v for k, v in request.GET.items() if k not in {"page", "format"} and v}
    if request.GET.get("format") == "csv" and form.is_valid():
        record(actor(request), "audit.export", details={"filters": filters})
        return _csv(events)
    record(actor(request), "audit.view", details={"filters": filters})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    chain = None
    if request.GET.get("verify"):
        membership = membership_of(request.user)  # type: ignore[arg-type]
        assert membership is not None  # clinic_view guarantees it
        chain = audit_chain.verify_for_organisation(membership.organisation)
    membership = membership_of(request.user)  # type: ignore[arg-type]
    assert membership is not None  # clinic_view guarantees it
    return render(
        request,
        "organisation/audit.html",
        {
            "form": form,
            "page": page,
            "rows": readable_events(list(page.object_list), membership.organisation_id),
            "query": urlencode(filters),
            "chain": chain,
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )
