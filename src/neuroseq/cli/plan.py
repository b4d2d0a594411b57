"""``neuroseq plan FILE``: the sequential, bottom-up plan for one assessment."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from neuroseq.assessment import Assessment, AssessmentError, load_assessment_file
from neuroseq.cli.app import app, fail
from neuroseq.instrument import Instrument, InstrumentError, load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.instrument.rules import load_rules
from neuroseq.plan import plan_for_assessment, render_plan
from neuroseq.progress import ProgressError, Snapshot, check_same_child, snapshot_of


class AudienceOption(StrEnum):
    clinician = "clinician"
    caregiver = "caregiver"
    teacher = "teacher"


def _history(
    current: Assessment, files: list[Path], inst: Instrument
) -> tuple[list[Snapshot], list[str]]:
    """Earlier reviews, oldest first; every problem as one ``path: message`` line."""
    errors: list[str] = []
    snapshots: list[Snapshot] = []
    for path in files:
        try:
            earlier = load_assessment_file(path)
        except AssessmentError as exc:
            errors += [f"--previous {path}: {e}" for e in exc.errors]
            continue
        if earlier.assessment_date >= current.assessment_date:
            errors.append(
                f"--previous {path}: assessment_date: expected a date before the planned "
                f"assessment ({current.assessment_date}), got {earlier.assessment_date}"
            )
            continue
        snapshots.append(snapshot_of(earlier, inst, label=f"--previous {path}"))
    if not errors and snapshots:
        try:
            check_same_child([*snapshots, snapshot_of(current, inst, label="FILE")], inst)
        except ProgressError as exc:
            errors += exc.errors
    return sorted(snapshots, key=lambda s: s.assessment_date), errors


def _plateaus(values: list[str], inst: Instrument) -> tuple[dict[str, str], list[str]]:
    plateaus: dict[str, str] = {}
    errors: list[str] = []
    for value in values:
        region, _, note = value.partition("=")
        region = region.strip()
        if region not in inst.region_ids:
            errors.append(
                f"--plateau: expected REGION=NOTE with REGION one of "
                f"{', '.join(inst.region_ids)}, got {value!r}"
            )
        elif not note.strip():
            errors.append(
                f"--plateau {region}: a documented plateau needs the clinician's note "
                "(REGION=NOTE, e.g. brainstem='no change since March despite daily routines')"
            )
        else:
            plateaus[region] = note.strip()
    return plateaus, errors


@app.command("plan")
def plan_command(
    file: Annotated[Path, typer.Argument(help="Assessment file (JSON or YAML).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plan as JSON (the public contract).")
    ] = False,
    audience: Annotated[
        AudienceOption,
        typer.Option("--audience", help="Who reads the text: clinician, caregiver or teacher."),
    ] = AudienceOption.clinician,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            help="An earlier assessment of the same child under this plan (repeatable); "
            "the next phase unlocks on reliable improvement or a plateau since the earliest.",
        ),
    ] = None,
    plateau: Annotated[
        list[str] | None,
        typer.Option(
            "--plateau",
            help="A plateau the clinician documents, as REGION=NOTE (repeatable).",
        ),
    ] = None,
) -> None:
    """Sequential, bottom-up recommendations: safety first, then regulate, relate, reason."""
    try:
        assessment = load_assessment_file(file)
    except AssessmentError as exc:
        fail(exc.errors)
    try:
        inst = load_instrument(assessment.instrument_version)
        catalogue = load_activities(inst)
    except InstrumentError as exc:
        fail(str(exc).splitlines())
    if (previous or plateau) and load_rules(inst) is None:
        fail(
            [
                "--previous/--plateau: phases unlock on reliable change or a plateau from "
                f"instrument v2; this assessment uses v{inst.version}, whose plan moves on "
                "when the targets are reached"
            ]
        )
    history, errors = _history(assessment, list(previous or []), inst)
    plateaus, plateau_errors = _plateaus(list(plateau or []), inst)
    if errors or plateau_errors:
        fail(errors + plateau_errors)
    plan = plan_for_assessment(assessment, inst, catalogue, history, plateaus)
    if as_json:
        sys.stdout.write(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_plan(plan, audience.value, inst, catalogue))
