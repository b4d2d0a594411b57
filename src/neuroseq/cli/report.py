"""``neuroseq report FILE -o report.pdf``: the printed report, without the app or a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from neuroseq.assessment import AssessmentError, load_assessment_file
from neuroseq.cli.app import app, error_console, fail
from neuroseq.cli.plan import AudienceOption
from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.progress import ProgressError, check_same_child, snapshot_of
from neuroseq.reports import ReportError, build_report


@app.command("report")
def report_command(
    file: Annotated[Path, typer.Argument(help="Assessment file (JSON or YAML).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The PDF to write.")],
    audience: Annotated[
        AudienceOption, typer.Option("--audience", help="Who reads it.")
    ] = AudienceOption.clinician,
    previous: Annotated[
        list[Path] | None,
        typer.Option(
            "--previous",
            help="An earlier assessment of the same child (repeatable): progress since the "
            "newest of them, and the plan's history.",
        ),
    ] = None,
    html: Annotated[
        bool, typer.Option("--html", help="Write the report's HTML instead of the PDF.")
    ] = False,
) -> None:
    """A4 PDF report for a clinician, a caregiver or a teacher (bad input: exit 2)."""
    try:
        current = load_assessment_file(file)
        inst = load_instrument(current.instrument_version)
    except AssessmentError as exc:
        fail(exc.errors)
    except InstrumentError as exc:
        fail(str(exc).splitlines())
    earlier, errors = [], []
    for path in previous or []:
        try:
            earlier.append(load_assessment_file(path, inst))
        except AssessmentError as exc:
            errors += [f"--previous {path}: {e}" for e in exc.errors]
    if errors:
        fail(errors)
    earlier.sort(key=lambda a: a.assessment_date)
    try:
        if earlier:
            check_same_child([snapshot_of(a, inst) for a in [*earlier, current]], inst)
        report = build_report(current, inst, audience.value, earlier=earlier)
    except ProgressError as exc:
        fail([f"--previous: {e}" for e in exc.errors])
    except ReportError as exc:
        fail([f"--previous: {e}" if e.startswith("previous") else e for e in exc.errors])
    from neuroseq.web.reports import render_html, render_pdf

    text = render_html(report, inst)
    try:
        if html:
            output.write_text(text, encoding="utf-8")
        else:
            output.write_bytes(render_pdf(text))
    except OSError as exc:
        fail([f"--output: cannot write {output}: {exc.strerror}"])
    error_console.print(f"wrote {output}")
