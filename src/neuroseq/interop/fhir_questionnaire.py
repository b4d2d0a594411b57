"""The instrument as a FHIR R4 Questionnaire, and our code systems as CodeSystem resources.

Generated from the ``Instrument`` object, so every instrument version has its own
Questionnaire (canonical URL ``QUESTIONNAIRE_URL`` with ``version`` = instrument version).
Link ids follow the assessment format and the CSV columns: ``fn.<function>``,
``crh.<item>``, ``rh.<period>.<item>``; groups nest functions by region, then domain.
"""

from __future__ import annotations

from typing import Any

from neuroseq.instrument import STATUSES, Instrument
from neuroseq.instrument.schema import Anchors
from neuroseq.interop.fhir_common import (
    CANONICAL_BASE,
    ORDINAL_VALUE,
    QUESTIONNAIRE_URL,
    code_system_url,
    coding,
)

SEVERITIES = {1: "mild", 2: "moderate", 3: "severe"}
RELATIONAL_RATING = {0: "0 (lowest)", 1: "1", 2: "2", 3: "3 (highest)"}
GATES = {
    "sufficient": "sufficient relational supports",
    "marginal": "marginal relational supports",
    "insufficient": "insufficient relational supports",
    "not_rated": "current relational health not rated",
}

# Link ids of the items that are not ratings.
ASSESSMENT_DATE, AGE, BIRTH_DATE, RATER = (
    "assessment_date",
    "chronological_age_months",
    "birth_date",
    "rater",
)
ADVERSITY = "adversity"
ADVERSITY_FIELDS = ("type", "period", "severity", "chronicity", "note")


def canonical(inst: Instrument) -> str:
    """``url|version`` as QuestionnaireResponse.questionnaire names it."""
    return f"{QUESTIONNAIRE_URL}|{inst.version}"


def _status_options(inst: Instrument) -> list[dict[str, Any]]:
    return [
        {
            "valueCoding": {
                **coding(code_system_url("status"), str(s.value), s.label),
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": s.value}],
            }
        }
        for s in inst.status_levels
    ]


def _relational_options() -> list[dict[str, Any]]:
    return [
        {
            "valueCoding": {
                **coding(code_system_url("relational-rating"), str(v), label),
                "extension": [{"url": ORDINAL_VALUE, "valueDecimal": v}],
            }
        }
        for v, label in RELATIONAL_RATING.items()
    ]


def _anchors(link_id: str, anchors: Anchors) -> dict[str, Any]:
    """A display item under a question: what each rating means for this item."""
    text = "; ".join(f"{s}: {anchors.for_status(s)}" for s in STATUSES)
    return {"linkId": f"{link_id}.anchors", "type": "display", "text": text}


def _choices(system: str, pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"valueCoding": coding(code_system_url(system), code, label)} for code, label in pairs]


def _assessment_group() -> dict[str, Any]:
    return {
        "linkId": "assessment",
        "type": "group",
        "text": "Assessment",
        "required": True,
        "item": [
            {
                "linkId": ASSESSMENT_DATE,
                "type": "date",
                "text": "Assessment date",
                "required": True,
            },
            {
                "linkId": AGE,
                "type": "decimal",
                "text": "Chronological age at the assessment date (months)",
            },
            {
                "linkId": BIRTH_DATE,
                "type": "date",
                "text": "Birth date (only in exports that include it; the age is enough to score)",
            },
            {"linkId": RATER, "type": "string", "text": "Rater", "maxLength": 120},
        ],
    }


def _adversity_group(inst: Instrument) -> dict[str, Any]:
    return {
        "linkId": ADVERSITY,
        "type": "group",
        "text": "Adversity: one insult or stressor in one developmental period",
        "repeats": True,
        "item": [
            {
                "linkId": f"{ADVERSITY}.type",
                "type": "choice",
                "text": "Type",
                "required": True,
                "answerOption": _choices(
                    "adversity-type", [(t.id, t.name) for t in inst.adversity_types]
                ),
            },
            {
                "linkId": f"{ADVERSITY}.period",
                "type": "choice",
                "text": "Developmental period",
                "required": True,
                "answerOption": _choices("period", [(p.id, p.label) for p in inst.periods]),
            },
            {
                "linkId": f"{ADVERSITY}.severity",
                "type": "choice",
                "text": "Severity",
                "required": True,
                "answerOption": _choices(
                    "severity", [(str(k), label) for k, label in SEVERITIES.items()]
                ),
            },
            {
                "linkId": f"{ADVERSITY}.chronicity",
                "type": "choice",
                "text": "Chronicity",
                "required": True,
                "answerOption": _choices("chronicity", [(c.id, c.label) for c in inst.chronicity]),
            },
            {"linkId": f"{ADVERSITY}.note", "type": "string", "text": "Note", "maxLength": 500},
        ],
    }


def _relational_history_group(inst: Instrument) -> dict[str, Any]:
    periods = []
    for p in inst.periods:
        items = []
        for h in inst.history_items:
            link = f"rh.{p.id}.{h.id}"
            items.append(
                {
                    "linkId": link,
                    "code": [coding(code_system_url("relational-item"), h.id, h.name)],
                    "type": "choice",
                    "text": f"{h.name} ({p.label})",
                    "answerOption": _relational_options(),
                    "item": [_anchors(link, h.anchors)],
                }
            )
        periods.append(
            {
                "linkId": f"rh.{p.id}",
                "code": [coding(code_system_url("period"), p.id, p.label)],
                "type": "group",
                "text": p.label,
                "item": items,
            }
        )
    return {
        "linkId": "relational_history",
        "type": "group",
        "text": "Relational health history, by developmental period",
        "item": periods,
    }


def _current_group(inst: Instrument) -> dict[str, Any]:
    items = []
    for c in inst.current_items:
        link = f"crh.{c.id}"
        items.append(
            {
                "linkId": link,
                "code": [coding(code_system_url("relational-item"), c.id, c.name)],
                "type": "choice",
                "text": c.name,
                "answerOption": _relational_options(),
                "item": [_anchors(link, c.anchors)],
            }
        )
    return {
        "linkId": "current_relational_health",
        "type": "group",
        "text": "Current relational health",
        "item": items,
    }


def _functional_group(inst: Instrument) -> dict[str, Any]:
    regions = []
    for r in inst.regions:
        domains = []
        for d in inst.domains:
            members = [f for f in inst.functions_in_region(r.id) if f.domain == d.id]
            if not members:
                continue
            questions = [
                {
                    "linkId": f"fn.{f.id}",
                    "code": [coding(code_system_url("function"), f.id, f.name)],
                    "type": "choice",
                    "text": f.name,
                    "answerOption": _status_options(inst),
                    "item": [_anchors(f"fn.{f.id}", f.anchors)],
                }
                for f in members
            ]
            domains.append(
                {
                    "linkId": f"region.{r.id}.domain.{d.id}",
                    "code": [coding(code_system_url("domain"), d.id, d.name)],
                    "type": "group",
                    "text": f"{r.name}: {d.name}",
                    "item": questions,
                }
            )
        regions.append(
            {
                "linkId": f"region.{r.id}",
                "code": [coding(code_system_url("region"), r.id, r.name)],
                "type": "group",
                "text": r.name,
                "item": domains,
            }
        )
    return {
        "linkId": "functional",
        "type": "group",
        "text": "Functional review: status of each function (0 undeveloped to 3 mature)",
        "item": regions,
    }


def flags_of(inst: Instrument) -> tuple[Any, ...]:
    """The instrument's clinical flags (instrument v2 on); none for v1."""
    return tuple(getattr(inst, "flags", ()))


def _flags_group(inst: Instrument) -> list[dict[str, Any]]:
    """Clinical flags as yes/no items: ticked = present, false = checked and absent."""
    flags = flags_of(inst)
    if not flags:
        return []
    items = [
        {
            "linkId": f"flag.{f.id}",
            "code": [coding(code_system_url("clinical-flag"), f.id, f.label)],
            "type": "boolean",
            "text": f"{f.label} ({f.kind})",
            "item": [
                {
                    "linkId": f"flag.{f.id}.when",
                    "type": "display",
                    "text": f"Tick when: {f.description} First: {f.action}",
                }
            ],
        }
        for f in flags
    ]
    return [
        {
            "linkId": "clinical_flags",
            "type": "group",
            "text": "Clinical flags: medical and safeguarding concerns that come first",
            "item": items,
        }
    ]


def questionnaire(inst: Instrument) -> dict[str, Any]:
    """The instrument as an R4 Questionnaire resource (a JSON-ready dict)."""
    return {
        "resourceType": "Questionnaire",
        "id": f"neuroseq-instrument-v{inst.version}",
        "url": QUESTIONNAIRE_URL,
        "version": inst.version,
        "name": f"NeuroseqInstrumentV{inst.version}",
        "title": f"{inst.header.name}, version {inst.version}",
        "status": "draft" if "provisional" in inst.header.status else "active",
        "experimental": "provisional" in inst.header.status,
        "subjectType": ["Patient"],
        "publisher": "neuroseq project",
        "description": inst.header.disclaimer,
        "copyright": inst.header.license,
        "item": [
            _assessment_group(),
            _adversity_group(inst),
            _relational_history_group(inst),
            _current_group(inst),
            _functional_group(inst),
            *_flags_group(inst),
        ],
    }


def score_concepts(inst: Instrument) -> list[tuple[str, str]]:
    """(code, display) of every score the Observations carry; codes are the score keys."""
    concepts = [
        ("developmental_challenges_score", "Developmental Challenges Score (0-100)"),
        ("developmental_challenges_raw", "Developmental challenges raw load"),
        *((f"period_load.{p.id}", f"Challenge load in {p.label}") for p in inst.periods),
        *((f"region_impact.{r.id}", f"Region impact: {r.name}") for r in inst.regions),
        ("relational_health_history_score", "Relational Health History score (0-100)"),
        *(
            (f"relational_history_by_period.{p.id}", f"Relational health in {p.label}")
            for p in inst.periods
        ),
        ("current_relational_health", "Current relational health (0-100)"),
        ("relational_gate", "Relational gate"),
        ("functional_score", "Functional Score (0-100)"),
        *((f"region_scores.{r.id}", f"Functional score: {r.name}") for r in inst.regions),
        *((f"domain_scores.{d.id}", f"Functional score: {d.name}") for d in inst.domains),
        ("typical_functional_score", "Typical child's Functional Score on the same items"),
        *(
            (f"typical_region_scores.{r.id}", f"Typical child's score: {r.name}")
            for r in inst.regions
        ),
        *(
            (f"typical_domain_scores.{d.id}", f"Typical child's score: {d.name}")
            for d in inst.domains
        ),
        ("age_typical_percent", "Age-typical percent"),
        ("age_equivalents", "Age equivalents by domain"),
        *((f"age_equivalents_months.{d.id}", f"Age equivalent: {d.name}") for d in inst.domains),
    ]
    return concepts


def _code_system(
    inst: Instrument, name: str, title: str, concepts: list[tuple[str, str, str | None]]
) -> dict[str, Any]:
    return {
        "resourceType": "CodeSystem",
        "id": f"neuroseq-{name}-v{inst.version}",
        "url": code_system_url(name),
        "version": inst.version,
        "name": "Neuroseq" + "".join(part.title() for part in name.split("-")),
        "title": title,
        "status": "draft",
        "experimental": True,
        "caseSensitive": True,
        "content": "complete",
        "concept": [
            {"code": code, "display": display, **({"definition": d} if d else {})}
            for code, display, d in concepts
        ],
    }


def code_systems(inst: Instrument) -> list[dict[str, Any]]:
    """Every code system our resources use, generated from this instrument version."""
    items = {i.id: i for i in (*inst.history_items, *inst.current_items)}
    flags = [
        _code_system(
            inst,
            "clinical-flag",
            "Clinical flags (medical and safeguarding)",
            [(f.id, f.label, f.description) for f in flags_of(inst)],
        )
    ]
    return [
        _code_system(
            inst,
            "status",
            "Status of a function (absolute developmental maturity)",
            [(str(s.value), s.label, s.plain_label) for s in inst.status_levels],
        ),
        _code_system(
            inst,
            "relational-rating",
            "Rating of a relational health item (0 lowest to 3 highest)",
            [(str(v), label, None) for v, label in RELATIONAL_RATING.items()],
        ),
        _code_system(
            inst,
            "function",
            "Functions of the functional review",
            [(f.id, f.name, f.description) for f in inst.functions],
        ),
        _code_system(
            inst,
            "region",
            "Brain regions, bottom-up",
            [(r.id, r.name, r.description) for r in inst.regions],
        ),
        _code_system(
            inst, "domain", "Domains", [(d.id, d.name, d.description) for d in inst.domains]
        ),
        _code_system(
            inst,
            "period",
            "Developmental periods",
            [(p.id, p.label, None) for p in inst.periods],
        ),
        _code_system(
            inst,
            "adversity-type",
            "Adversity types",
            [(t.id, t.name, t.description) for t in inst.adversity_types],
        ),
        _code_system(
            inst,
            "chronicity",
            "Chronicity of an adversity",
            [(c.id, c.label, c.description) for c in inst.chronicity],
        ),
        _code_system(
            inst,
            "severity",
            "Severity of an adversity",
            [(str(k), v, None) for k, v in SEVERITIES.items()],
        ),
        _code_system(
            inst,
            "relational-item",
            "Relational health items (history and current)",
            [(i.id, i.name, i.description) for i in items.values()],
        ),
        _code_system(
            inst,
            "score",
            "Scores of an assessment (the keys of `neuroseq score --json`)",
            [(code, display, None) for code, display in score_concepts(inst)],
        ),
        _code_system(
            inst,
            "gate",
            "Relational gate",
            [(code, display, None) for code, display in GATES.items()],
        ),
        *(flags if flags_of(inst) else []),
    ]


def instrument_bundle(inst: Instrument) -> dict[str, Any]:
    """The Questionnaire with its code systems, as one collection Bundle."""
    resources = [questionnaire(inst), *code_systems(inst)]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{CANONICAL_BASE}/{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
