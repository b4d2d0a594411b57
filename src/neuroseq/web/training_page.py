"""What the training pages show, built from the rows and the pure training package."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from neuroseq.instrument import load_instrument
from neuroseq.training import (
    Vignette,
    agreement_by_month,
    agreement_chart_svg,
    days_left,
    get_vignette,
    is_current,
    load_rules,
    load_vignettes,
    renewal_due,
)
from neuroseq.training.certification import HeldCertificate
from neuroseq.web.editor.steps import _without_label
from neuroseq.web.models import (
    Certification,
    CertificationLevel,
    Membership,
    Organisation,
    User,
    VignetteAssignment,
    VignetteAttempt,
)
from neuroseq.web.models.accounts import CLINICAL_ROLES
from neuroseq.web.services.certification import rule_status

LEVELS = [c.value for c in CertificationLevel]


def short_name(vignette: Vignette) -> str:
    """The child's name and age only: the title's pattern would give the answer away."""
    return vignette.title.partition(":")[0]


def rating_regions(vignette: Vignette, ratings: Mapping[str, Any] | None = None) -> list[Any]:
    """The editor's grid items (same template, same keyboard script) for one vignette."""
    inst = load_instrument(vignette.instrument_version)
    ratings = ratings or {}
    regions = []
    for region in inst.regions:
        items = []
        for f in inst.functions_in_region(region.id):
            items.append(
                {
                    "id": f.id,
                    "path": f.id,
                    "name": f.name,
                    "description": f.description,
                    "domain": inst.domain(f.domain).name,
                    "value": ratings.get(f.id),
                    "choices": [
                        {
                            "value": v,
                            "label": inst.status_level(v).label,
                            "anchor": f.anchors.for_status(v),
                            "detail": _without_label(
                                f.anchors.for_status(v), inst.status_level(v).label
                            ),
                        }
                        for v in (0, 1, 2, 3)
                    ],
                }
            )
        regions.append({"id": region.id, "name": region.name, "items": items})
    return regions


def _held(c: Certification) -> HeldCertificate:
    return HeldCertificate(c.level, c.issued_on, c.expires_on, c.revoked)


def certificate_rows(rows: list[Certification], today: date) -> list[dict[str, Any]]:
    rules = load_rules()
    out = []
    for c in rows:
        current = is_current(_held(c), today)
        out.append(
            {
                "cert": c,
                "label": rules.level(c.level).label,
                "current": current,
                "days_left": days_left(_held(c), today),
                "renewal_due": renewal_due(_held(c), today, rules),
                "state": "revoked"
                if c.revoked
                else ("valid" if current else ("expired" if c.expires_on <= today else "future")),
            }
        )
    return out


def progress(user: User, today: date) -> list[dict[str, Any]]:
    rules = load_rules()
    rows = []
    for level in LEVELS:
        status = rule_status(user, level, today)
        rows.append(
            {
                "level": level,
                "label": status.level.label,
                "description": status.level.description,
                "min_icc": status.level.min_icc_a1,
                "requires": rules.level(status.level.requires_level).label
                if status.level.requires_level
                else "",
                "status": status,
            }
        )
    return rows


def open_assignments(user: User) -> list[dict[str, Any]]:
    rows = []
    for a in VignetteAssignment.objects.filter(trainee=user).select_related("trainer"):
        vignette = get_vignette(a.vignette_id, a.vignette_version)
        done = VignetteAttempt.objects.filter(
            user=user, vignette_id=a.vignette_id, created_at__gte=a.created_at
        ).first()
        rows.append(
            {"a": a, "name": short_name(vignette) if vignette else a.vignette_id, "done": done}
        )
    return rows


def vignette_rows(user: User) -> list[dict[str, Any]]:
    attempts = VignetteAttempt.objects.filter(user=user)
    counts: dict[str, int] = {}
    for vid in attempts.values_list("vignette_id", flat=True):
        counts[vid] = counts.get(vid, 0) + 1
    return [
        {
            "v": v,
            "name": short_name(v),
            "age": v.age_label,
            "attempts": counts.get(v.id, 0),
        }
        for v in load_vignettes()
    ]


def attempt_rows(attempts: list[VignetteAttempt]) -> list[dict[str, Any]]:
    rows = []
    for a in attempts:
        vignette = get_vignette(a.vignette_id, a.vignette_version)
        rows.append(
            {
                "a": a,
                "name": short_name(vignette) if vignette else a.vignette_id,
                "kappa": (a.figures.get("overall", {}).get("weighted_kappa") or {}).get("value"),
                "exact": a.figures.get("overall", {}).get("exact"),
            }
        )
    return rows


def result_context(attempt: VignetteAttempt) -> dict[str, Any]:
    vignette = get_vignette(attempt.vignette_id, attempt.vignette_version)
    if vignette is None:
        return {"vignette": None}
    inst = load_instrument(vignette.instrument_version)
    figures = attempt.figures
    items = {i["function"]: i for i in figures.get("items", [])}
    missed = []
    for fid in figures.get("missed_most", []):
        item = items[fid]
        f = inst.function(fid)
        missed.append(
            {
                "item": item,
                "name": f.name,
                "reasoning": vignette.key[fid].reasoning,
                "key_anchor": f.anchors.for_status(item["key"]),
                "your_anchor": None
                if item["rating"] is None
                else f.anchors.for_status(item["rating"]),
            }
        )
    domains = [{"name": inst.domain(d).name, "g": g} for d, g in figures.get("domains", {}).items()]
    statuses = list(vignette.key_statuses.values())
    common = max(set(statuses), key=statuses.count)
    rules = load_rules()
    return {
        "key_spread": {"status": common, "count": statuses.count(common), "n": len(statuses)},
        "unstable": statuses.count(common) >= rules.unstable_key_share * len(statuses),
        "vignette": vignette,
        "overall": figures.get("overall", {}),
        "domains": domains,
        "missed": missed,
        "all_items": [
            {"item": i, "name": inst.function(i["function"]).name} for i in figures["items"]
        ],
        "explain": rules.explanations,
    }


def members_progress(org: Organisation, today: date) -> list[dict[str, Any]]:
    rows = []
    memberships = (
        Membership.objects.filter(organisation=org, is_active=True, role__in=CLINICAL_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    for m in memberships:
        certs = certificate_rows(
            list(Certification.objects.filter(user=m.user, organisation=org)), today
        )
        rows.append(
            {
                "m": m,
                "certs": [c for c in certs if c["current"]],
                "progress": progress(m.user, today),
                "attempts": VignetteAttempt.objects.filter(user=m.user, organisation=org).count(),
            }
        )
    return rows


def staffing_agreement_points(org: Organisation, since: date) -> list[tuple[date, float | None]]:
    """(day rating ended, ICC(A,1) among the raters) of each staffing since ``since``."""
    from neuroseq.web.services.staffing import agreement_points

    return agreement_points(org, since)


def vignette_agreement_points(org: Organisation, since: date) -> list[tuple[date, float | None]]:
    from django.utils import timezone

    rows = VignetteAttempt.objects.filter(organisation=org, created_at__date__gte=since)
    return [(timezone.localdate(a.created_at), a.icc_a1) for a in rows]


def fidelity_context(org: Organisation, today: date) -> dict[str, Any]:
    rules = load_rules()
    certs = certificate_rows(
        list(Certification.objects.filter(organisation=org).select_related("user", "issued_by")),
        today,
    )
    current = [c for c in certs if c["current"]]
    expiring = sorted(
        (c for c in current if c["days_left"] <= rules.renewal_window_days),
        key=lambda c: c["days_left"],
    )
    since = date(today.year - 1, today.month, 1)
    series = {
        "Vignettes (agreement with the key)": agreement_by_month(
            vignette_agreement_points(org, since), today
        ),
    }
    staffing = staffing_agreement_points(org, since)
    if staffing:
        series["Staffings (agreement among raters)"] = agreement_by_month(staffing, today)
    threshold = rules.level("rater").min_icc_a1
    chart = agreement_chart_svg(
        series, threshold, "Mean ICC(A,1) per month over the last 12 months"
    )
    months = list(next(iter(series.values())))
    table = [
        {"month": m.label, "values": [s[i] for s in series.values()]} for i, m in enumerate(months)
    ]
    by_level = {level: [c for c in current if c["cert"].level == level] for level in LEVELS}
    return {
        "current": current,
        "by_level": [
            {"label": rules.level(level).label, "rows": rows} for level, rows in by_level.items()
        ],
        "expiring": expiring,
        "window": rules.renewal_window_days,
        "chart": chart,
        "series_names": list(series),
        "table": table,
        "has_staffing": bool(staffing),
    }
