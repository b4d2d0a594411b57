"""``neuroseq plan FILE``: the sequential, bottom-up plan for one assessment."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from neuroseq.assessment import AssessmentError, load_assessment_file
from neuroseq.cli.app import app, fail
from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.instrument.activities import load_activities
from neuroseq.plan import plan_for_assessment, render_plan


class AudienceOption(StrEnum):
    clinician = "clinician"
    caregiver = "caregiver"
    teacher = "teacher"


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
) -> None:
    """Sequential, bottom-up recommendations: regulate, relate, reason, gated by relationships."""
    try:
        assessment = load_assessment_file(file)
    except AssessmentError as exc:
        fail(exc.errors)
    try:
        inst = load_instrument(assessment.instrument_version)
        catalogue = load_activities(inst)
    except InstrumentError as exc:
        fail(str(exc).splitlines())
    plan = plan_for_assessment(assessment, inst, catalogue)
    if as_json:
        sys.stdout.write(json.dumps(plan.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_plan(plan, audience.value, inst, catalogue))
