"""The content of a printed report for one assessment, per audience (pure, no Django).

The page presenters (``neuroseq.web.presenters``, ``neuroseq.web.family``) use the same
score rows, map rows and family age words, so a report and a page never say two things.
The plan is built here (``neuroseq.plan``) and turned into cards by the same function the
plan page uses, in the web layer that renders the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from neuroseq.assessment import Assessment
from neuroseq.brainmap import render_map, typical_statuses
from neuroseq.brainmap.charts import render_age_equivalent_chart
from neuroseq.brainmap.maps import render_change_map
from neuroseq.brainmap.text import format_age
from neuroseq.instrument import Instrument
from neuroseq.progress import ProgressError, check_same_child, compare, snapshot_of
from neuroseq.reports.history_chart import render_history_chart
from neuroseq.scoring import AssessmentScores, score_assessment
from neuroseq.scoring.functional import AgeEquivalent

AUDIENCES = ("clinician", "caregiver", "teacher")

GATE_TEXT = {
    "sufficient": "Sufficient: enough healthy relationships to deliver the plan with repetition.",
    "marginal": "Marginal: strengthen the child's relationships alongside the plan.",
    "insufficient": "Insufficient: build relational supports first; the plan cannot reach "
    "enough repetition without them.",
    "not_rated": "Not rated.",
}

AGE_FLAG_TEXT = {
    "below_norms": "younger than the earliest norms: below a newborn on these items",
    "ceiling": "at the top of the norms: at least this age (when typical children reach it)",
}

CLASS_WORDS = {
    "improved": "Improved (reliable change)",
    "deteriorated": "Deteriorated (reliable change)",
    "no reliable change": "No reliable change",
    "not comparable": "Not comparable",
}


class ReportError(ValueError):
    """A report that cannot be made from these inputs; each line names the field."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def format_months(months: float | None) -> str:
    """An age in words, with the maps' rule (completed months), so a page says one age."""
    if months is None or (isinstance(months, float) and math.isnan(months)):
        return "not available"
    return format_age(months)


def format_score(value: float | None) -> str:
    return "not rated" if value is None else f"{value:.0f}"


EXPECTED_FOR_AGE = "within the range for age"
EXPECTED_NOTE = (
    "within measurement error of the typical child of the same age (or at the top of the "
    "norms, which typical children of this age have reached): not a delay"
)


def within_range_for_age(
    inst: Instrument,
    domain_id: str,
    score: float | None,
    typical: float | None,
    age_months: float,
    months: float | None,
    flag: str | None,
) -> bool:
    """Whether a domain reads "within the range for age" rather than as a younger age.

    Late in childhood the typical curve is nearly flat, so a score a few points under the
    typical child's of the same age inverts to an age years younger. The instrument's
    ``age_equivalents.typical_band_sem`` says how many standard errors of measurement of
    the domain score (SD x sqrt(1 - r), reference figures) count as the same; a child at
    the ceiling of the norms and at least the ceiling age is where typical children are.
    """
    if months is None or flag == "below_norms":
        return False
    if flag == "ceiling" and age_months >= months:
        return True
    settings = inst.age_equivalent_settings
    band = settings.typical_band_sem if settings else None
    figure = inst.reliability.domains.get(domain_id)
    if band is None or figure is None or score is None or typical is None:
        return False
    sem = figure.sd * math.sqrt(1.0 - figure.reliability)
    return score >= typical - band * sem


def expected_domains(
    inst: Instrument,
    scores: dict[str, float | None],
    typical: dict[str, float | None],
    age_months: float,
    months: dict[str, float | None],
    flags: dict[str, str | None],
) -> set[str]:
    """The domains :func:`within_range_for_age` (per domain id: score, typical child's
    score, age equivalent months and flag, as a score snapshot stores them)."""
    return {
        d
        for d in inst.domain_ids
        if within_range_for_age(
            inst, d, scores.get(d), typical.get(d), age_months, months.get(d), flags.get(d)
        )
    }


def age_equivalent_text(months: float | None, flag: str | None, expected: bool = False) -> str:
    """The scoring package's own wording ("about 5 years 1 month", "at least 8 years",
    "younger than the earliest norms"), so a flag can never be dropped from a page;
    ``expected`` (:func:`within_range_for_age`) leads with "within the range for age"."""
    if months is None:
        return "not available (nothing rated in this domain)"
    text = AgeEquivalent(float(months), flag).text  # type: ignore[arg-type]
    return f"{EXPECTED_FOR_AGE} ({text})" if expected else text


def age_note(flag: str | None, expected: bool) -> str:
    """The note column of the age-equivalent table."""
    return EXPECTED_NOTE if expected else AGE_FLAG_TEXT.get(str(flag or ""), "")


def age_equivalent_words(
    months: float | None, flag: str | None, youngest: float, expected: bool = False
) -> str:
    """An age equivalent for a family: a rough guide in broad bands, never a month count.

    A family reads "like a child of about 1 month" about a four-year-old as a verdict on the
    child, and the instrument cannot support that precision anyway (one rating step moves an
    age equivalent by months). So families read the same figure in bands: the first year,
    the toddler years, then whole years; the ends of the norms are said plainly.
    """
    if months is None:
        return "not enough was rated to say"
    if expected:
        return "about where most children of the same age are"
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
class ScoreRow:
    key: str
    label: str
    value: str
    formula: str = ""
    terms: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def score_row(key: str, label: str, value: float | None, scores: Any) -> ScoreRow:
    """One score with the terms behind it (``scores`` None: the value alone)."""
    row = ScoreRow(key=key, label=label, value=format_score(value))
    explanation = scores.explanations.get(key) if scores is not None else None
    if explanation is not None:
        data = explanation.as_dict()
        row.formula = data["formula"]
        row.terms = data["terms"]
        row.notes = data["notes"]
    return row


def id_namer(inst: Instrument) -> Callable[[str], str]:
    """Replace the instrument's internal ids in explanation labels and notes by their names.

    The scoring explanations name terms by id ("heart_rate_regulation", "neglect in m2_6");
    paper has no tooltip, so a report prints names. Ids that are ordinary words ("cortex")
    stay, as in the plan page's humaniser.
    """
    names: dict[str, str] = {}
    names.update({f.id: f.name for f in inst.functions})
    names.update({r.id: r.name for r in inst.regions})
    names.update({d.id: d.name for d in inst.domains})
    names.update({i.id: i.name for i in (*inst.current_items, *inst.history_items)})
    names.update({f.id: f.label for f in inst.flags})
    names.update({p.id: p.label for p in inst.periods})
    names.update({t.id: t.name for t in inst.adversity_types})
    names.update({c.id: c.label.lower() for c in inst.chronicity})
    names = {k: v for k, v in names.items() if "_" in k or v.lower() != k}
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )
    return lambda text: pattern.sub(lambda m: names[m.group(1)], text)


def named_row(row: ScoreRow, namer: Callable[[str], str]) -> ScoreRow:
    row.terms = [{**t, "label": namer(str(t["label"]))} for t in row.terms]
    row.notes = [namer(n) for n in row.notes]
    row.formula = namer(row.formula)
    return row


def map_rows(
    inst: Instrument, ratings: dict[str, int | None], age: float, *, plain: bool = False
) -> list[dict[str, Any]]:
    """The map as a list, top region first: each function's status beside the typical child's.

    Phones and screen readers read this where the drawn map is too small or not seen.
    """
    typical = typical_statuses(inst, age)
    regions = []
    for region in reversed(inst.regions):
        rows = []
        for f in inst.functions_in_region(region.id):
            status, usual = ratings.get(f.id), typical.get(f.id)
            level = inst.status_level(status) if status is not None else None
            words = (level.plain_label if plain else level.label) if level else "not rated"
            versus = ""
            if status is not None and usual is not None and status != usual:
                versus = "below" if status < usual else "above"
            rows.append(
                {
                    "name": f.plain_name if plain else f.name,
                    "status": "-" if status is None else status,
                    "key": "none" if status is None else str(status),
                    "words": words,
                    "typical": usual,
                    "versus": versus,
                    "compare_words": _compare_words(inst, status, usual) if plain else "",
                }
            )
        regions.append({"name": region.plain_name if plain else region.name, "functions": rows})
    return regions


def _compare_words(inst: Instrument, status: int | None, usual: int | None) -> str:
    """A family's comparison with most children of the same age, on every tile: a young
    child's "not yet" is where most children of that age are, not a sign of harm."""
    if status is None or usual is None:
        return ""
    if status == usual:
        return "as expected at this age"
    if status > usual:
        return "further along than most children of this age"
    return f"most children of this age: {inst.status_level(usual).plain_label}"


def finds_hard(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The functions of :func:`map_rows` below the typical child of the same age, bottom
    region first (where help starts): what a family or teacher reads the child finds hard."""
    return [f for region in reversed(rows) for f in region["functions"] if f["versus"] == "below"]


@dataclass
class ScoresView:
    """What the page partials ``assessments/_scores.html`` and ``_maps.html`` read."""

    assessment: Assessment
    headline: list[ScoreRow]
    regions: list[ScoreRow]
    domains: list[ScoreRow]
    age_equivalents: list[dict[str, str]]
    gate_text: str
    missing: list[str]
    map_svg: str
    typical_svg: str
    map_rows: list[dict[str, Any]]
    age_chart_svg: str
    age_text: str


@dataclass
class Progress:
    before_date: date
    months: float
    rows: list[dict[str, str]]
    counts: dict[str, int]
    notes: list[str]
    change_svg: str
    source: str


@dataclass
class Report:
    audience: str
    child: str  # how the report names the child: pseudonym (clinician) or given name
    pseudonym: str
    assessment_date: date
    instrument_version: str
    synthetic: bool
    age_text: str
    assessment: Assessment
    scores: AssessmentScores
    view: ScoresView | None  # clinician only
    history: list[dict[str, Any]]
    history_chart_svg: str
    challenges_text: str
    family_map_svg: str
    family_map_rows: list[dict[str, Any]]
    legend: list[dict[str, str]]
    age_rows: list[dict[str, str]]
    progress: Progress | None
    plan: Any  # neuroseq.plan.Plan, or None when this installation cannot plan
    catalogue: Any
    status_note: str = ""
    finds_hard: list[dict[str, Any]] = field(default_factory=list)


def scores_expected(inst: Instrument, s: AssessmentScores) -> set[str]:
    """:func:`expected_domains` of freshly computed scores."""
    return expected_domains(
        inst,
        dict(s.domain_scores),
        dict(s.typical_domain_scores),
        s.chronological_age_months,
        {d: ae.months if ae else None for d, ae in s.age_equivalents.items()},
        {d: ae.flag if ae else None for d, ae in s.age_equivalents.items()},
    )


def _scores_view(a: Assessment, inst: Instrument, s: AssessmentScores, age: float) -> ScoresView:
    headline = [
        score_row(
            "developmental_challenges_score",
            "Developmental Challenges Score",
            s.developmental_challenges_score,
            s,
        ),
        score_row(
            "relational_health_history_score",
            "Relational Health History",
            s.relational_health_history_score,
            s,
        ),
        score_row(
            "current_relational_health", "Current relational health", s.current_relational_health, s
        ),
        score_row("functional_score", "Functional Score", s.functional_score, s),
        score_row("age_typical_percent", "Age-typical percent", s.age_typical_percent, s),
    ]
    ratings = dict(a.functional)
    tag = a.client.pseudonym or "report"
    namer = id_namer(inst)
    expected = scores_expected(inst, s)
    return ScoresView(
        assessment=a,
        headline=[named_row(row, namer) for row in headline],
        regions=[
            named_row(
                score_row(f"region_scores.{r.id}", r.name, s.region_scores.get(r.id), s), namer
            )
            for r in reversed(inst.regions)
        ],
        domains=[
            named_row(
                score_row(f"domain_scores.{d.id}", d.name, s.domain_scores.get(d.id), s), namer
            )
            for d in inst.domains
        ],
        age_equivalents=[
            {
                "domain": d.name,
                "plain": d.plain_name,
                "age": age_equivalent_text(
                    ae.months if ae else None, ae.flag if ae else None, d.id in expected
                ),
                "flag": str(ae.flag or "") if ae else "",
                "flag_text": age_note(ae.flag, d.id in expected) if ae else "",
            }
            for d in inst.domains
            for ae in [s.age_equivalents.get(d.id)]
        ],
        gate_text=GATE_TEXT.get(s.relational_gate, s.relational_gate),
        missing=[inst.function(f).name for f in s.missing_items if f in inst.function_ids],
        map_svg=render_map(
            inst,
            ratings,
            pseudonym=a.client.pseudonym,
            age_months=age,
            assessment_date=a.assessment_date,
            synthetic=a.synthetic,
            id_prefix="rmap",
            mark_typical=True,
        ),
        typical_svg=render_map(
            inst,
            typical_statuses(inst, age),
            pseudonym=f"Typical child aged {format_age(age)}",
            age_months=age,
            assessment_date=a.assessment_date,
            title="A typically developing child of the same age (from the norms)",
            id_prefix="rtyp",
        ),
        map_rows=map_rows(inst, ratings, age),
        age_chart_svg=render_age_equivalent_chart(
            inst,
            s.age_equivalents,
            expected=expected,
            pseudonym=tag,
            age_months=age,
            assessment_date=a.assessment_date,
            synthetic=a.synthetic,
            id_prefix="rage",
        ),
        age_text=format_months(age),
    )


def _history(a: Assessment, inst: Instrument, s: AssessmentScores) -> list[dict[str, Any]]:
    """Per developmental period: the adversities, their load and the relational supports."""
    total = math.fsum(s.period_load.values())
    rows = []
    for p in inst.periods:
        load = s.period_load.get(p.id, 0.0)
        relational = s.relational_history_by_period.get(p.id)
        rows.append(
            {
                "label": p.label,
                "adversities": [
                    f"{inst.adversity_type(x.type).name} (severity {x.severity}, "
                    f"{inst.chronicity_level(x.chronicity).label.lower()})"
                    for x in a.adversities
                    if x.period == p.id
                ],
                "load": f"{load:.1f}",
                "share": f"{100 * load / total:.0f}%" if total > 0 else "-",
                "relational": "not rated" if relational is None else f"{relational:.0f}",
            }
        )
    return rows


def _progress(a: Assessment, previous: Assessment, inst: Instrument, age: float) -> Progress:
    before, after = snapshot_of(previous, inst, label="previous"), snapshot_of(a, inst, "this")
    check_same_child([before, after], inst)
    comparison = compare(before, after, inst)
    rows = [
        {
            "scope": c.scope,
            "name": c.name,
            "before": format_score(c.before),
            "after": format_score(c.after),
            "difference": "" if c.difference is None else f"{c.difference:+.0f}",
            "rci": "" if c.rci is None else f"{c.rci:+.2f}",
            "words": CLASS_WORDS.get(c.classification, c.classification),
            "classification": c.classification,
        }
        for c in comparison.scores
    ]
    return Progress(
        before_date=previous.assessment_date,
        months=(a.assessment_date - previous.assessment_date).days / (365.25 / 12),
        rows=rows,
        counts={d: comparison.count(d) for d in ("improved", "unchanged", "worse")},
        notes=list(comparison.notes),
        change_svg=render_change_map(
            inst,
            dict(previous.functional),
            dict(a.functional),
            pseudonym=a.client.pseudonym,
            age_months=age,
            before_date=previous.assessment_date,
            assessment_date=a.assessment_date,
            synthetic=a.synthetic,
            id_prefix="rchg",
        ),
        source=comparison.reliability_source,
    )


def build_report(
    a: Assessment,
    inst: Instrument,
    audience: str,
    *,
    earlier: Sequence[Assessment] = (),
    child_name: str | None = None,
    status_note: str = "",
) -> Report:
    """Everything a report prints for ``audience``.

    ``earlier``: the child's earlier signed assessments, oldest first; the newest one is the
    baseline of the progress section and all of them are the plan's history.
    ``child_name``: how the family versions name the child (the app's given name); the
    clinician version and a file without a name use the pseudonym.
    ``status_note``: printed in the running header of a record that is not signed yet.
    """
    if audience not in AUDIENCES:
        raise ReportError([f"audience: expected one of {', '.join(AUDIENCES)}, got {audience!r}"])
    errors = [
        f"previous {p.assessment_date}: assessment_date: expected a date before this "
        f"assessment ({a.assessment_date})"
        for p in earlier
        if p.assessment_date >= a.assessment_date
    ]
    errors += [
        f"previous {p.assessment_date}: instrument_version: expected {a.instrument_version}, "
        f"got {p.instrument_version}"
        for p in earlier
        if p.instrument_version != a.instrument_version
    ]
    if errors:
        raise ReportError(errors)
    s = score_assessment(a, inst)
    age = s.chronological_age_months
    pseudonym = a.client.pseudonym or "(no pseudonym)"
    name = pseudonym if audience == "clinician" else (child_name or pseudonym)
    ratings = dict(a.functional)
    history = _history(a, inst, s)
    try:
        progress = _progress(a, earlier[-1], inst, age) if earlier else None
    except ProgressError as exc:
        raise ReportError([f"previous: {e}" for e in exc.errors]) from exc
    plan, catalogue = _plan(a, inst, earlier)
    youngest = float(inst.norm_ages[0]) if len(inst.norm_ages) else 0.0
    expected = scores_expected(inst, s)
    family_rows = [] if audience == "clinician" else map_rows(inst, ratings, age, plain=True)
    return Report(
        audience=audience,
        child=name,
        pseudonym=pseudonym,
        assessment_date=a.assessment_date,
        instrument_version=inst.version,
        synthetic=a.synthetic,
        age_text=format_months(age),
        assessment=a,
        scores=s,
        view=_scores_view(a, inst, s, age) if audience == "clinician" else None,
        history=history,
        history_chart_svg=render_history_chart(inst, s, synthetic=a.synthetic)
        if audience == "clinician"
        else "",
        challenges_text=format_score(s.developmental_challenges_score),
        family_map_svg=""
        if audience == "clinician"
        else render_map(
            inst,
            ratings,
            pseudonym=name,
            age_months=age,
            assessment_date=a.assessment_date,
            title=f"{name}'s brain map",
            synthetic=a.synthetic,
            id_prefix="rfam",
            mark_typical=True,
        ),
        family_map_rows=family_rows,
        finds_hard=finds_hard(family_rows),
        legend=[
            {"status": str(level.value), "words": level.plain_label, "key": str(level.value)}
            for level in sorted(inst.status_levels, key=lambda lv: -lv.value)
        ],
        age_rows=[
            {
                "name": d.plain_name,
                "about": d.plain_description,
                "words": age_equivalent_words(
                    ae.months if ae else None,
                    ae.flag if ae else None,
                    youngest,
                    d.id in expected,
                ),
            }
            for d in inst.domains
            for ae in [s.age_equivalents.get(d.id)]
        ],
        progress=progress,
        plan=plan,
        catalogue=catalogue,
        status_note=status_note,
    )


def _plan(a: Assessment, inst: Instrument, earlier: Sequence[Assessment]) -> tuple[Any, Any]:
    from neuroseq.instrument.activities import load_activities
    from neuroseq.plan import plan_for_assessment

    catalogue = load_activities(inst)
    history = tuple(snapshot_of(p, inst, label=str(p.assessment_date)) for p in earlier)
    return plan_for_assessment(a, inst, catalogue, history=history), catalogue
