"""Turn a stored assessment into what a page shows: scores with explanations, maps.

All numbers come from the domain packages. The stored score snapshot is what was signed;
the explanations are recomputed from the stored inputs with the same instrument version,
and the page says so if the two ever disagree.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet

from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.brainmap import render_map, typical_statuses
from neuroseq.brainmap.text import format_age
from neuroseq.instrument import Instrument, InstrumentError, load_instrument
from neuroseq.reports.content import (  # noqa: F401  (the page helpers' home; names kept here)
    AGE_FLAG_TEXT,
    GATE_TEXT,
    ScoreRow,
    age_equivalent_text,
    age_note,
    expected_domains,
    format_months,
    format_score,
    map_rows,
    score_row,
)
from neuroseq.scoring import score_assessment
from neuroseq.web.models import Assessment

log = logging.getLogger(__name__)


@dataclass
class AssessmentView:
    assessment: Assessment
    instrument: Instrument
    headline: list[ScoreRow]
    regions: list[ScoreRow]
    domains: list[ScoreRow]
    age_equivalents: list[dict[str, str]]
    gate: str
    gate_text: str
    missing: list[str]
    map_svg: str | None
    comparison_svg: str | None
    typical_svg: str | None
    map_rows: list[dict[str, Any]]
    age_chart_svg: str | None
    snapshot_matches: bool
    age_text: str


def _optional(module: str) -> Any | None:
    """A domain package another team is still building: use it when it is there."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _draw(
    render: str, inst: Instrument, assessment: Assessment, age: float, *first: Any, **extra: Any
) -> str | None:
    """Call a ``neuroseq.brainmap`` renderer; None if it is missing or fails."""
    brainmap = _optional("neuroseq.brainmap")
    function = getattr(brainmap, render, None) if brainmap else None
    if function is None:
        return None
    try:
        return str(
            function(
                inst,
                *first,
                pseudonym=assessment.client.display_id,
                age_months=age,
                assessment_date=assessment.assessment_date,
                synthetic=assessment.synthetic,
                id_prefix=f"{render[7:10]}{assessment.pk}",
                **extra,
            )
        )
    except Exception:  # a drawing bug must not hide the record; the page says "not available"
        log.exception("%s failed for assessment %s", render, assessment.pk)
        return None


def _typical_map(inst: Instrument, assessment: Assessment, age: float) -> str | None:
    """The typically developing child of the same age, drawn like the child's map."""
    try:
        return render_map(
            inst,
            typical_statuses(inst, age),
            pseudonym=f"Typical child aged {format_age(age)}",
            age_months=age,
            assessment_date=assessment.assessment_date,
            title="A typically developing child of the same age (from the norms)",
            id_prefix=f"typ{assessment.pk}",
        )
    except Exception:  # a drawing bug must not hide the record; the page says "not available"
        log.exception("typical map failed for assessment %s", assessment.pk)
        return None


def family_map(assessment: Assessment) -> str | None:
    """The map a caregiver or teacher reads: titled with the child's given name, each skill
    that differs from most children of the same age outlined (with theirs written in)."""
    client = assessment.client
    try:
        return render_map(
            load_instrument(assessment.instrument_version),
            dict(assessment.inputs.get("functional") or {}),
            pseudonym=client.given_name,
            age_months=float(assessment.scores.get("chronological_age_months") or 0.0),
            assessment_date=assessment.assessment_date,
            title=f"{client.given_name}'s brain map",
            synthetic=assessment.synthetic,
            id_prefix=f"fam{assessment.pk}",
            mark_typical=True,
        )
    except Exception:  # a drawing bug must not hide the page
        log.exception("family map failed for %s", assessment.pk)
        return None


def _ratings(assessment: Assessment) -> dict[str, int | None]:
    return dict(assessment.inputs.get("functional", {}))


def change_map(before: Assessment, after: Assessment) -> str | None:
    """The later map with what changed since the earlier one (same child)."""
    age = float(after.scores.get("chronological_age_months") or 0.0)
    inst = load_instrument(after.instrument_version)
    return _draw(
        "render_change_map",
        inst,
        after,
        age,
        _ratings(before),
        _ratings(after),
        before_date=before.assessment_date,
    )


def present(assessment: Assessment) -> AssessmentView:
    """Scores, explanations, maps and age equivalents of a stored assessment (the plan is
    built by :mod:`neuroseq.web.plan_page`, because it also reads the child's history)."""
    snapshot = assessment.scores
    try:
        inst = load_instrument(assessment.instrument_version)
        parsed = parse_assessment(assessment.inputs, inst)
        scores = score_assessment(parsed, inst)
    except (InstrumentError, AssessmentError):
        log.exception("stored assessment %s no longer parses", assessment.pk)
        inst, parsed, scores = load_instrument(), None, None
    age = float(snapshot.get("chronological_age_months") or 0.0)
    headline = [
        score_row(
            "developmental_challenges_score",
            "Developmental Challenges Score",
            snapshot.get("developmental_challenges_score"),
            scores,
        ),
        score_row(
            "relational_health_history_score",
            "Relational Health History",
            snapshot.get("relational_health_history_score"),
            scores,
        ),
        score_row(
            "current_relational_health",
            "Current relational health",
            snapshot.get("current_relational_health"),
            scores,
        ),
        score_row("functional_score", "Functional Score", snapshot.get("functional_score"), scores),
        score_row(
            "age_typical_percent",
            "Age-typical percent",
            snapshot.get("age_typical_percent"),
            scores,
        ),
    ]
    regions = [
        score_row(
            f"region_scores.{r.id}", r.name, snapshot.get("region_scores", {}).get(r.id), scores
        )
        for r in reversed(inst.regions)
    ]
    domains = [
        score_row(
            f"domain_scores.{d.id}", d.name, snapshot.get("domain_scores", {}).get(d.id), scores
        )
        for d in inst.domains
    ]
    months = snapshot.get("age_equivalents_months", {})
    flags = snapshot.get("age_equivalent_flags", {})
    expected = snapshot_expected(inst, snapshot)
    age_equivalents = [
        {
            "domain": d.name,
            "plain": d.plain_name,
            "age": age_equivalent_text(months.get(d.id), flags.get(d.id), d.id in expected),
            "flag": str(flags.get(d.id) or ""),
            "flag_text": age_note(flags.get(d.id), d.id in expected),
        }
        for d in inst.domains
    ]
    fresh = scores.to_dict() if scores is not None else None
    gate = str(snapshot.get("relational_gate", "not_rated"))
    return AssessmentView(
        assessment=assessment,
        instrument=inst,
        headline=headline,
        regions=regions,
        domains=domains,
        age_equivalents=age_equivalents,
        gate=gate,
        gate_text=GATE_TEXT.get(gate, gate),
        missing=[
            inst.function(f).name
            for f in snapshot.get("missing_items", [])
            if f in inst.function_ids
        ],
        map_svg=_draw("render_map", inst, assessment, age, _ratings(assessment), mark_typical=True),
        comparison_svg=None,
        typical_svg=_typical_map(inst, assessment, age),
        map_rows=map_rows(inst, _ratings(assessment), age),
        age_chart_svg=_draw(
            "render_age_equivalent_chart",
            inst,
            assessment,
            age,
            scores.age_equivalents,
            expected=expected,
        )
        if scores is not None
        else None,
        snapshot_matches=fresh is not None and _same(fresh, snapshot),
        age_text=format_months(age),
    )


def snapshot_expected(inst: Instrument, snapshot: dict[str, Any]) -> set[str]:
    """The domains a stored score snapshot puts within the range for age (signed figures)."""
    return expected_domains(
        inst,
        snapshot.get("domain_scores") or {},
        snapshot.get("typical_domain_scores") or {},
        float(snapshot.get("chronological_age_months") or 0.0),
        snapshot.get("age_equivalents_months") or {},
        snapshot.get("age_equivalent_flags") or {},
    )


def _same(fresh: dict[str, Any], snapshot: dict[str, Any]) -> bool:
    keys = ("developmental_challenges_score", "functional_score", "current_relational_health")
    for key in keys:
        a, b = fresh.get(key), snapshot.get(key)
        if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-6):
            return False
    return True


def age_on(birth: date, day: date) -> str:
    return format_months((day - birth).days / (365.25 / 12))


def earlier_signed(assessment: Assessment, instrument_version: str) -> QuerySet[Assessment]:
    """The child's signed reviews before this one (same instrument version, corrections in
    place of what they correct), oldest first."""
    from neuroseq.web.models import AssessmentStatus

    return (
        Assessment.objects.filter(
            client_id=assessment.client_id,
            status=AssessmentStatus.SIGNED,
            instrument_version=instrument_version,
            assessment_date__lt=assessment.assessment_date,
        )
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .exclude(lineage=assessment.lineage)
        .order_by("assessment_date", "version")
    )


def earlier_reviews(assessment: Assessment, inst: Instrument) -> list[Any]:
    """Progress snapshots of :func:`earlier_signed`: the plan's history."""
    from neuroseq.progress import snapshot_of

    snapshots = []
    for a in earlier_signed(assessment, inst.version):
        try:
            snapshots.append(snapshot_of(parse_assessment(a.inputs, inst), inst))
        except AssessmentError:
            log.exception("stored assessment %s no longer parses", a.pk)
    return snapshots
