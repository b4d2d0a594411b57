"""Record and cohort exports as plain functions that write to a file object.

Each takes plain data (the app turns its rows into ``ExportRow``), so a background job,
the CLI or a request can call it. CSV cells go through ``csv_safety.SafeWriter``.

- ``write_record_json`` / ``write_record_csv``: one client's full record, every version.
- ``write_scores_wide``: one row per assessment, one column per score.
- ``write_ratings_long``: one row per rated (or explicitly unrated) item.
- ``write_data_dictionary``: what every column of the two cohort files means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from neuroseq.instrument import Instrument
from neuroseq.interop.csv_safety import SafeWriter
from neuroseq.interop.fhir_questionnaire import flags_of

RECORD_FORMAT = "neuroseq.record/1"


@dataclass(frozen=True)
class ExportRow:
    """One stored assessment version, as exports see it (no Django objects)."""

    assessment_id: int
    client_key: str  # pseudonymous id (display id, or the research HMAC id)
    lineage: str
    version: int
    status: str
    assessment_date: str
    instrument_version: str
    synthetic: bool
    inputs: dict[str, Any]
    scores: dict[str, Any]
    supersedes_id: int | None = None
    amendment_reason: str = ""
    signed_by: str = ""
    signed_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# -- scores, flattened ----------------------------------------------------------------
SCALAR_SCORES = (
    ("chronological_age_months", "age at the assessment date, months", "months"),
    ("developmental_challenges_score", "Developmental Challenges Score", "0-100"),
    ("developmental_challenges_raw", "raw challenge load before the transform", "load"),
    ("relational_health_history_score", "Relational Health History score", "0-100"),
    ("current_relational_health", "current relational health", "0-100"),
    ("relational_gate", "relational gate", "sufficient/marginal/insufficient/not_rated"),
    ("functional_score", "Functional Score", "0-100"),
    ("typical_functional_score", "typical child's Functional Score, same items", "0-100"),
    ("age_typical_percent", "child's weighted status sum as % of a typical child's", "%"),
)


def score_columns(inst: Instrument) -> list[tuple[str, str, str]]:
    """(column, meaning, unit) of every score column, for the wide file and its dictionary."""
    columns = [(f"score.{k}", meaning, unit) for k, meaning, unit in SCALAR_SCORES]
    groups = (
        ("period_load", inst.period_ids, "challenge load in period {}", "load"),
        ("region_impact", inst.region_ids, "region impact of adversity: {}", "0-100"),
        ("relational_history_by_period", inst.period_ids, "relational health in {}", "0-100"),
        ("region_scores", inst.region_ids, "functional score of region {}", "0-100"),
        ("domain_scores", inst.domain_ids, "functional score of domain {}", "0-100"),
        ("typical_region_scores", inst.region_ids, "typical child's score: {}", "0-100"),
        ("typical_domain_scores", inst.domain_ids, "typical child's score: {}", "0-100"),
        ("age_equivalents_months", inst.domain_ids, "age equivalent of domain {}", "months"),
        (
            "age_equivalent_flags",
            inst.domain_ids,
            "age equivalent flag of {} (below_norms / ceiling)",
            "flag",
        ),
    )
    for key, ids, meaning, unit in groups:
        columns += [(f"score.{key}.{i}", meaning.format(i), unit) for i in ids]
    columns.append(("score.missing_items", "functions not rated, separated by ;", "ids"))
    return columns


def score_values(scores: dict[str, Any], inst: Instrument) -> list[Any]:
    values: list[Any] = []
    for column, _, _ in score_columns(inst):
        path = column.split(".")[1:]
        if path == ["missing_items"]:
            values.append(";".join(scores.get("missing_items") or []))
            continue
        value: Any = scores.get(path[0])
        if len(path) == 2:
            value = (value or {}).get(path[1])
        values.append(value)
    return values


RECORD_COLUMNS = (
    "assessment_id",
    "client",
    "lineage",
    "version",
    "status",
    "assessment_date",
    "instrument_version",
    "synthetic",
    "supersedes_id",
    "amendment_reason",
    "signed_by",
    "signed_at",
)


def _meta(row: ExportRow) -> list[Any]:
    return [
        row.assessment_id,
        row.client_key,
        row.lineage,
        row.version,
        row.status,
        row.assessment_date,
        row.instrument_version,
        row.synthetic,
        row.supersedes_id,
        row.amendment_reason,
        row.signed_by,
        row.signed_at,
    ]


# -- one client's record -------------------------------------------------------------
def write_record_json(client: dict[str, Any], rows: Iterable[ExportRow], file: IO[str]) -> None:
    """The client's details and every assessment version (inputs and score snapshot)."""
    document = {
        "format": RECORD_FORMAT,
        "client": client,
        "assessments": [
            {
                **dict(zip(RECORD_COLUMNS, _meta(row), strict=True)),
                "inputs": row.inputs,
                "scores": row.scores,
            }
            for row in rows
        ],
    }
    json.dump(document, file, indent=2, ensure_ascii=False, default=str)
    file.write("\n")


def write_record_csv(
    rows: Iterable[ExportRow], instruments: dict[str, Instrument], file: IO[str]
) -> None:
    """One row per version: record columns, the assessment inputs (as in ``neuroseq score
    --batch``), then every score. Versions scored with different instrument versions get
    the union of the columns."""
    from neuroseq.interop.assessment_csv import columns, record_to_row

    rows = list(rows)
    input_columns: list[str] = []
    score_cols: list[str] = []
    for version in sorted({r.instrument_version for r in rows}):
        inst = instruments[version]
        input_columns += [c for c in columns(inst) if c not in input_columns]
        score_cols += [c for c, _, _ in score_columns(inst) if c not in score_cols]
    writer = SafeWriter(file)
    writer.writerow([*RECORD_COLUMNS, *input_columns, *score_cols])
    for row in rows:
        inst = instruments[row.instrument_version]
        inputs = dict(zip(columns(inst), record_to_row(row.inputs, inst), strict=True))
        scores = dict(
            zip(
                [c for c, _, _ in score_columns(inst)],
                score_values(row.scores, inst),
                strict=True,
            )
        )
        writer.writerow(
            [
                *_meta(row),
                *(inputs.get(c, "") for c in input_columns),
                *(scores.get(c) for c in score_cols),
            ]
        )


# -- cohort -------------------------------------------------------------------------
WIDE_KEYS = (
    ("assessment_id", "the assessment's id in this installation"),
    ("client", "pseudonymous client id"),
    ("version", "version of the assessment (amendments are new versions)"),
    ("status", "draft / in_review / signed"),
    ("assessment_date", "date of the assessment (YYYY-MM-DD)"),
    ("instrument_version", "instrument version the scores come from"),
    ("synthetic", "true for generated, non-real records"),
)
LONG_COLUMNS = (
    ("assessment_id", "the assessment's id in this installation"),
    ("client", "pseudonymous client id"),
    ("assessment_date", "date of the assessment (YYYY-MM-DD)"),
    ("instrument_version", "instrument version"),
    ("synthetic", "true for generated, non-real records"),
    ("section", "functional / current_relational_health / relational_history / clinical_flags"),
    ("period", "developmental period (relational_history only)"),
    ("item", "function or relational item id"),
    ("region", "brain region of a function"),
    ("domain", "domain of a function"),
    ("rating", "0-3, empty = listed but not rated (never zero); flags: true / false"),
)


def write_scores_wide(rows: Iterable[ExportRow], inst: Instrument, file: IO[str]) -> int:
    """One row per assessment of one instrument version; returns the number of rows."""
    writer = SafeWriter(file)
    writer.writerow([k for k, _ in WIDE_KEYS] + [c for c, _, _ in score_columns(inst)])
    count = 0
    for row in rows:
        writer.writerow(
            [
                row.assessment_id,
                row.client_key,
                row.version,
                row.status,
                row.assessment_date,
                row.instrument_version,
                row.synthetic,
                *score_values(row.scores, inst),
            ]
        )
        count += 1
    return count


def rating_rows(inputs: dict[str, Any], inst: Instrument) -> Iterable[list[Any]]:
    """(section, period, item, region, domain, rating) for every listed item, instrument order."""
    functional = inputs.get("functional") or {}
    for f in inst.functions:
        if f.id in functional:
            yield ["functional", "", f.id, f.region, f.domain, functional[f.id]]
    current = inputs.get("current_relational_health") or {}
    for c in inst.current_items:
        if c.id in current:
            yield ["current_relational_health", "", c.id, "", "", current[c.id]]
    history = inputs.get("relational_history") or {}
    for p in inst.period_ids:
        for h in inst.history_items:
            if h.id in (history.get(p) or {}):
                yield ["relational_history", p, h.id, "", "", history[p][h.id]]
    flags = inputs.get("clinical_flags") or {}
    for flag in flags_of(inst):
        if flags.get(flag.id) is not None:
            yield ["clinical_flags", "", flag.id, "", "", flags[flag.id]]


def write_ratings_long(rows: Iterable[ExportRow], inst: Instrument, file: IO[str]) -> int:
    """One row per listed item of each assessment; returns the number of assessments."""
    writer = SafeWriter(file)
    writer.writerow([c for c, _ in LONG_COLUMNS])
    count = 0
    for row in rows:
        head = [
            row.assessment_id,
            row.client_key,
            row.assessment_date,
            row.instrument_version,
            row.synthetic,
        ]
        for item in rating_rows(row.inputs, inst):
            writer.writerow(head + item)
        count += 1
    return count


def write_data_dictionary(inst: Instrument, file: IO[str]) -> None:
    """file, column, meaning, unit or values: for the wide and the long cohort files."""
    writer = SafeWriter(file)
    writer.writerow(["file", "column", "meaning", "unit_or_values"])
    for key, meaning in WIDE_KEYS:
        writer.writerow(["scores_wide", key, meaning, ""])
    for column, meaning, unit in score_columns(inst):
        writer.writerow(["scores_wide", column, meaning, unit])
    for key, meaning in LONG_COLUMNS:
        writer.writerow(["ratings_long", key, meaning, ""])
    statuses = "; ".join(f"{s.value} = {s.label}" for s in inst.status_levels)
    writer.writerow(["ratings_long", "rating (functional)", "status of the function", statuses])
    for f in inst.functions:
        writer.writerow(["ratings_long", f"item = {f.id}", f.name, f"{f.region} / {f.domain}"])
    for flag in flags_of(inst):
        writer.writerow(
            ["ratings_long", f"item = {flag.id}", f"{flag.label} ({flag.kind})", "true / false"]
        )
