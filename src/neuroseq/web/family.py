"""What a caregiver or a teacher reads: only a released assessment, in plain words.

A caregiver reads about their child by the name the clinic records; a teacher reads
about the pupil by name and is never addressed as the parent ("your child").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neuroseq.brainmap.text import format_age
from neuroseq.instrument import load_instrument
from neuroseq.web.models import Assessment, AssessmentStatus, Client, ViewerKind
from neuroseq.web.presenters import map_rows
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


def age_equivalent_words(months: float | None, flag: str | None, youngest: float) -> str:
    """An age equivalent for a family: a rough guide in broad bands, never a month count.

    A family reads "like a child of about 1 month" about a four-year-old as a verdict on the
    child, and the instrument cannot support that precision anyway (one rating step moves an
    age equivalent by months). So families read the same figure in bands: the first year,
    the toddler years, then whole years; the ends of the norms are said plainly.
    """
    if months is None:
        return "not enough was rated to say"
    if flag == "below_norms":
        return "still building the earliest skills our guide describes"
    if flag == "ceiling":
        years = max(1, round(months / 12))
        return f"at least like a child of {years} years: as far as our guide measures"
    if months < 12:
        return "still building skills most children build in their first year"
    if months < 24:
        return "working on skills most children build as toddlers (1 to 2 years)"
    return f"like a child of about {round(months / 12)} years"


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
    age_text: str
    map_rows: list[dict[str, Any]]


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
    age_rows = [
        {
            "name": d.plain_name,
            "about": d.plain_description,
            "words": age_equivalent_words(months.get(d.id), flags.get(d.id), youngest),
        }
        for d in inst.domains
    ]
    audience = ViewerKind.TEACHER.value if kind == ViewerKind.TEACHER else "caregiver"
    plan_html = kept.plan_html.get(audience)
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
        age_text=format_age(age),
        map_rows=map_rows(inst, ratings, age, plain=True),
    )
