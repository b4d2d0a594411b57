"""The de-identified research export: one row per signed assessment, no direct identifiers.

- Ids: ``research_id`` is an HMAC-SHA256 of the installation's client reference under a
  key that lives in the settings (``NEUROSEQ_RESEARCH_KEY``): stable across exports with
  the same key, not reversible or linkable without it.
- No names, pseudonyms, birth dates, assessment dates, raters or free-text notes.
- Ages are whole months at the assessment date; time between a child's assessments is
  whole months since the child's first assessment in the file.
- Small cells (threshold ``k``, default 5 distinct children) are suppressed:
  ``age_months`` is left empty for every row whose age band (whole years) holds fewer
  than k children; an ``adversity.<type>`` column is left empty for all rows when fewer
  than k children have that adversity type, and so is a ``flag.<flag>`` column (clinical
  flags, instrument v2 on) when fewer than k children have the flag. A file with fewer
  than k children is refused altogether.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from neuroseq.assessment import DAYS_PER_MONTH
from neuroseq.instrument import Instrument
from neuroseq.interop.csv_safety import SafeWriter
from neuroseq.interop.exports import rating_rows, score_columns, score_values
from neuroseq.interop.fhir_questionnaire import flags_of

DEFAULT_THRESHOLD = 5
SUPPRESSED = ""  # an empty cell; the audit event and docs say which cells and why
HIDDEN_SCORES = {"score.chronological_age_months"}  # exact age: replaced by whole months


class TooFewChildren(ValueError):
    """The export would describe fewer children than the small-cell threshold."""


@dataclass(frozen=True)
class ResearchRow:
    client_ref: str  # an internal, stable reference, e.g. "<organisation id>:<client id>"
    assessment_date: date
    age_months: float
    instrument_version: str
    synthetic: bool
    inputs: dict[str, Any]
    scores: dict[str, Any]


@dataclass(frozen=True)
class SuppressionReport:
    threshold: int
    children: int
    assessments: int
    suppressed_age_bands_years: tuple[int, ...]
    suppressed_age_cells: int
    suppressed_adversity_types: tuple[str, ...]
    suppressed_flags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "children": self.children,
            "assessments": self.assessments,
            "suppressed_age_bands_years": list(self.suppressed_age_bands_years),
            "suppressed_age_cells": self.suppressed_age_cells,
            "suppressed_adversity_types": list(self.suppressed_adversity_types),
            "suppressed_flags": list(self.suppressed_flags),
        }


def research_id(key: bytes, client_ref: str) -> str:
    digest = hmac.new(key, client_ref.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"R-{digest[:20]}"


def research_columns(inst: Instrument) -> list[str]:
    return [
        "research_id",
        "assessment_number",
        "months_since_first_assessment",
        "age_months",
        "instrument_version",
        "synthetic",
        *(f"adversity.{t.id}" for t in inst.adversity_types),
        *(f"rh.{p}.{h.id}" for p in inst.period_ids for h in inst.history_items),
        *(f"crh.{c.id}" for c in inst.current_items),
        *(f"fn.{f}" for f in inst.function_ids),
        *(f"flag.{f.id}" for f in flags_of(inst)),
        *(c for c, _, _ in score_columns(inst) if c not in HIDDEN_SCORES),
    ]


def _ratings(inputs: dict[str, Any], inst: Instrument) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for section, period, item, _, _, rating in rating_rows(inputs, inst):
        prefix = {
            "functional": "fn",
            "current_relational_health": "crh",
            "clinical_flags": "flag",
        }.get(section)
        cells[f"{prefix}.{item}" if prefix else f"rh.{period}.{item}"] = rating
    return cells


def write_research_export(
    rows: Sequence[ResearchRow],
    inst: Instrument,
    key: bytes,
    file: IO[str],
    threshold: int = DEFAULT_THRESHOLD,
) -> SuppressionReport:
    """Write the de-identified CSV for the rows of ``inst``'s version; report what was hidden."""
    rows = [r for r in rows if r.instrument_version == inst.version]
    children = {r.client_ref for r in rows}
    if len(children) < threshold:
        raise TooFewChildren(
            f"the export would describe {len(children)} children; a research export needs at "
            f"least {threshold} (the small-cell threshold)"
        )
    by_band: dict[int, set[str]] = defaultdict(set)
    by_type: dict[str, set[str]] = defaultdict(set)
    by_flag: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_band[int(r.age_months // 12)].add(r.client_ref)
        for adversity in r.inputs.get("adversities") or []:
            by_type[adversity["type"]].add(r.client_ref)
        for flag, present in (r.inputs.get("clinical_flags") or {}).items():
            if present:
                by_flag[flag].add(r.client_ref)
    small_bands = sorted(b for b, kids in by_band.items() if len(kids) < threshold)
    small_types = sorted(
        t.id for t in inst.adversity_types if 0 < len(by_type.get(t.id, ())) < threshold
    )
    small_flags = sorted(f.id for f in flags_of(inst) if 0 < len(by_flag.get(f.id, ())) < threshold)
    first_date: dict[str, date] = {}
    for r in sorted(rows, key=lambda r: r.assessment_date):
        first_date.setdefault(r.client_ref, r.assessment_date)

    writer = SafeWriter(file)
    columns = research_columns(inst)
    writer.writerow(columns)
    numbers: dict[str, int] = defaultdict(int)
    suppressed_ages = 0
    score_keys = [c for c, _, _ in score_columns(inst)]
    # Rows in research-id order, so the file order says nothing about the clinic's ids.
    ordered = sorted(rows, key=lambda r: (research_id(key, r.client_ref), r.assessment_date))
    for r in ordered:
        numbers[r.client_ref] += 1
        band = int(r.age_months // 12)
        if band in small_bands:
            suppressed_ages += 1
        counts: dict[str, int] = defaultdict(int)
        for adversity in r.inputs.get("adversities") or []:
            counts[adversity["type"]] += 1
        elapsed = (r.assessment_date - first_date[r.client_ref]).days / DAYS_PER_MONTH
        cells: dict[str, Any] = {
            "research_id": research_id(key, r.client_ref),
            "assessment_number": numbers[r.client_ref],
            "months_since_first_assessment": int(elapsed),
            "age_months": SUPPRESSED if band in small_bands else int(r.age_months),
            "instrument_version": r.instrument_version,
            "synthetic": r.synthetic,
            **{
                f"adversity.{t.id}": SUPPRESSED if t.id in small_types else counts[t.id]
                for t in inst.adversity_types
            },
            **_ratings(r.inputs, inst),
            **{f"flag.{f}": SUPPRESSED for f in small_flags},
            **dict(zip(score_keys, score_values(r.scores, inst), strict=True)),
        }
        writer.writerow(cells.get(c) for c in columns)
    return SuppressionReport(
        threshold=threshold,
        children=len(children),
        assessments=len(rows),
        suppressed_age_bands_years=tuple(small_bands),
        suppressed_age_cells=suppressed_ages,
        suppressed_adversity_types=tuple(small_types),
        suppressed_flags=tuple(small_flags),
    )
