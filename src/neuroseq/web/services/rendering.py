"""Render once: a signed assessment's maps, scores and plan are drawn once and kept.

Pages show a signed assessment from :class:`~neuroseq.web.models.RenderedAssessment`;
drafts and assessments in review are rendered live, by the same functions, so a stored
fragment is byte for byte what a live rendering gives (``tests/web/test_render_once.py``).

The stored row carries a fingerprint of everything the fragments read besides the
assessment itself: the client's details (its ``version`` moves at every edit), the child's
earlier signed reviews (the plan's history) and the code, templates and instrument data
of this installation. A view computes the fingerprint (one small query) and renders again
only when it differs. Nothing clinical is written here, so there is no audit entry: the
audit trail already holds the signature; this table is a cache that may be dropped.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from neuroseq.assessment import AssessmentError, parse_assessment
from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.web import plan_page
from neuroseq.web.models import Assessment, RenderedAssessment
from neuroseq.web.presenters import (
    change_map,
    earlier_reviews,
    earlier_signed,
    family_map,
    present,
)
from neuroseq.web.reports import FAMILY_FIRST

log = logging.getLogger(__name__)


@dataclass
class Fragments:
    """The HTML a page inserts for one assessment (``|safe``: our own templates' output)."""

    age_text: str
    snapshot_matches: bool
    maps_html: str
    scores_html: str
    plan_summary_html: str
    # audience -> plan cards; "<audience>:first" / ":rest" split a family page's cards
    plan_html: dict[str, str] = field(default_factory=dict)
    family_map_svg: str | None = None  # what caregivers and teachers see
    stored: RenderedAssessment | None = None


@cache
def code_fingerprint() -> str:
    """A hash of the installed package: code, templates and instrument data.

    A deployment that changes how anything is drawn or worded changes this, and every
    stored rendering is then drawn again on its next view.
    """
    root = Path(__file__).resolve().parents[2]  # src/neuroseq
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(assessment: Assessment) -> str:
    client = assessment.client
    earlier = list(
        earlier_signed(assessment, assessment.instrument_version).values_list("pk", flat=True)
    )
    parts = [
        code_fingerprint(),
        f"a{assessment.pk}v{assessment.version}",
        f"c{client.pk}v{client.version}",
        "e" + ",".join(map(str, earlier)),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def render_live(assessment: Assessment) -> Fragments:
    """Every fragment, computed now from the stored inputs (what a draft page shows)."""
    view = present(assessment)
    plans: dict[str, str] = {}
    summary = None
    try:
        inst = load_instrument(assessment.instrument_version)
        built = plan_page.build(
            parse_assessment(assessment.inputs, inst), inst, earlier_reviews(assessment, inst)
        )
    except (InstrumentError, AssessmentError):
        log.exception("stored assessment %s no longer parses", assessment.pk)
        built = None
    if built is not None:
        plan, catalogue = built
        name = assessment.client.given_name
        for audience in plan_page.AUDIENCES:
            page = plan_page.plan_page(plan, inst, catalogue, audience, child_name=name)
            if audience == "clinician":
                summary = page
            plans[audience] = render_to_string("assessments/_plan_cards.html", {"page": page})
            if audience != "clinician":
                first = [b for b in page.blocks if b.kind in FAMILY_FIRST]
                plans[f"{audience}:first"] = render_to_string(
                    "clients/_family_first.html", {"blocks": first}
                )
                plans[f"{audience}:rest"] = render_to_string(
                    "assessments/_plan_cards.html", {"page": page, "skip_blocks": FAMILY_FIRST}
                )
    return Fragments(
        age_text=view.age_text,
        snapshot_matches=view.snapshot_matches,
        maps_html=render_to_string("assessments/_maps.html", {"view": view}),
        scores_html=render_to_string("assessments/_scores.html", {"view": view}),
        plan_summary_html=render_to_string(
            "assessments/_plan_summary.html", {"plan": summary, "a": assessment}
        ),
        plan_html=plans,
        family_map_svg=family_map(assessment),
    )


def _from_row(row: RenderedAssessment) -> Fragments:
    return Fragments(
        age_text=row.age_text,
        snapshot_matches=row.snapshot_matches,
        maps_html=row.maps_html,
        scores_html=row.scores_html,
        plan_summary_html=row.plan_summary_html,
        plan_html=dict(row.plan_html),
        family_map_svg=row.family_map_svg or None,
        stored=row,
    )


def store(assessment: Assessment) -> Fragments:
    """Render a signed assessment now and keep the result (at signing, or when stale)."""
    if not assessment.is_signed:
        raise ValueError("status: only a signed assessment is rendered once and kept")
    live = render_live(assessment)
    values = {
        "assessment_version": assessment.version,
        "fingerprint": fingerprint(assessment),
        "age_text": live.age_text,
        "snapshot_matches": live.snapshot_matches,
        "maps_html": live.maps_html,
        "scores_html": live.scores_html,
        "plan_summary_html": live.plan_summary_html,
        "plan_html": live.plan_html,
        "family_map_svg": live.family_map_svg or "",
        "change_maps": {},
    }
    try:
        with transaction.atomic():
            row, _ = RenderedAssessment.objects.update_or_create(
                assessment=assessment, defaults=values
            )
    except IntegrityError:  # another request stored it first: same inputs, same fragments
        return live
    live.stored = row
    return live


def fragments(assessment: Assessment) -> Fragments:
    """What a page shows: stored for a signed assessment (stored now if missing or stale),
    live for anything still being written."""
    if not assessment.is_signed:
        return render_live(assessment)
    row = RenderedAssessment.objects.filter(assessment_id=assessment.pk).first()
    if row is not None and row.fingerprint == fingerprint(assessment):
        return _from_row(row)
    return store(assessment)


def change_map_of(
    before: Assessment, after: Assessment, after_fragments: Fragments | None = None
) -> str | None:
    """The change map between two signed assessments of one child, drawn once per pair.

    ``after_fragments``: :func:`fragments` of ``after``, if the page has them already."""
    if not (before.is_signed and after.is_signed):
        return change_map(before, after)
    stored = (after_fragments or fragments(after)).stored
    key = str(before.pk)
    if stored is not None and key in stored.change_maps:
        return stored.change_maps[key]
    svg = change_map(before, after)
    if stored is not None and svg is not None:
        stored.change_maps = {**stored.change_maps, key: svg}
        stored.save(update_fields=["change_maps"])
    return svg
