"""What a caregiver or a teacher reads: only a released assessment, in plain words.

A caregiver reads about their child by the name the clinic records; a teacher reads
about the pupil by name and is never addressed as the parent ("your child").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neuroseq.brainmap.text import format_age
from neuroseq.instrument import load_instrument
from neuroseq.reports.content import age_equivalent_words, finds_hard, map_rows
from neuroseq.web.models import Assessment, AssessmentStatus, Client, ViewerKind
from neuroseq.web.presenters import snapshot_expected
from neuroseq.web.services import rendering


def released_assessment(client: Client) -> Assessment | None:
    """The newest assessment shared with the family and not replaced by a signed correction."""
    return (
        client.assessments.filter(
            status=AssessmentStatus.SIGNED,
            releases__withdrawn_at__isnull=True,
            releases__isnull=False,
        )
        .exclude(superseded_by__status=AssessmentStatus.SIGNED)
        .order_by("-assessment_date", "-version")
        .distinct()
        .first()
    )


@dataclass
class FamilyPage:
    kind: str
    name: str  # the child's name as the clinic records it
    given: str
    intro: str
    assessment: Assessment
    date_text: str
    map_svg: str | None
    age_rows: list[dict[str, str]]
    plan_html: str | None  # the plan cards in the reader's words
    first_html: str  # medical, safeguarding and touch notes: the top of the page
    age_text: str
    map_rows: list[dict[str, Any]]
    finds_hard: list[dict[str, Any]]


def family_page(assessment: Assessment, kind: str) -> FamilyPage:
    client = assessment.client
    inst = load_instrument(assessment.instrument_version)
    scores = assessment.scores
    age = float(scores.get("chronological_age_months") or 0.0)
    ratings = dict(assessment.inputs.get("functional") or {})
    kept = rendering.fragments(assessment)
    youngest = float(inst.norm_ages[0]) if len(inst.norm_ages) else 0.0
    months = scores.get("age_equivalents_months") or {}
    flags = scores.get("age_equivalent_flags") or {}
    expected = snapshot_expected(inst, scores)
    age_rows = [
        {
            "name": d.plain_name,
            "about": d.plain_description,
            "words": age_equivalent_words(
                months.get(d.id), flags.get(d.id), youngest, d.id in expected
            ),
        }
        for d in inst.domains
    ]
    rows = map_rows(inst, ratings, age, plain=True)
    audience = ViewerKind.TEACHER.value if kind == ViewerKind.TEACHER else "caregiver"
    # Health, safety and touch notes come first on the page; the rest of the cards below.
    first_html = kept.plan_html.get(f"{audience}:first", "")
    plan_html = kept.plan_html.get(f"{audience}:rest", kept.plan_html.get(audience))
    given = client.given_name
    date_text = f"{assessment.assessment_date.day} {assessment.assessment_date:%B %Y}"
    if audience == "teacher":
        intro = (
            f"This page is for the adults who work with {given} at school. It comes from the "
            f"clinic team's review on {date_text}. It says what is going well, what {given} "
            "finds hard right now, and small things that help during the school day."
        )
    else:
        intro = (
            f"This page shows how {given} is doing, from the team's review on {date_text}. "
            "The bottom of the picture is the body's basics (sleep, heartbeat, calm); the top is "
            "thinking and planning. Brains grow from the bottom up, so help starts at the bottom."
        )
    return FamilyPage(
        kind=audience,
        name=client.name,
        given=given,
        intro=intro,
        assessment=assessment,
        date_text=date_text,
        map_svg=kept.family_map_svg,
        age_rows=age_rows,
        plan_html=plan_html,
        first_html=first_html,
        age_text=format_age(age),
        map_rows=rows,
        finds_hard=finds_hard(rows),
    )
