"""Interchange commands: ``neuroseq fhir export|import|questionnaire`` and ``neuroseq redcap``."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from neuroseq.assessment import AssessmentError, load_assessment_file, read_document
from neuroseq.cli.app import app, error_console, fail
from neuroseq.instrument import DEFAULT_VERSION, Instrument, InstrumentError, load_instrument
from neuroseq.interop.fhir_export import assessment_bundle
from neuroseq.interop.fhir_import import FhirImportError, assessment_from_fhir
from neuroseq.interop.fhir_questionnaire import instrument_bundle
from neuroseq.interop.redcap import write_redcap_dictionary

fhir_app = typer.Typer(help="FHIR R4: export an assessment as a Bundle, import it back.")
app.add_typer(fhir_app, name="fhir")

Output = Annotated[
    Path | None, typer.Option("-o", "--output", help="Write here (default: standard output).")
]
InstrumentVersion = Annotated[str, typer.Option("--instrument", help="Instrument version.")]


def _instrument(version: str) -> Instrument:
    try:
        return load_instrument(version)
    except InstrumentError as exc:
        fail(str(exc).splitlines())


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        fail([f"--output: cannot write {output}: {exc.strerror}"])
    error_console.print(f"wrote {output}")


def _json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@fhir_app.command("export")
def fhir_export(
    file: Annotated[Path, typer.Argument(help="Assessment file (JSON or YAML).")],
    output: Output = None,
    with_birth_date: Annotated[
        bool,
        typer.Option(
            "--with-birth-date",
            help="Also send the birth date (default: only the age in months at the assessment).",
        ),
    ] = False,
) -> None:
    """One assessment as a FHIR R4 Bundle: Questionnaire, Patient (pseudonym only),
    QuestionnaireResponse and the scores as Observations."""
    try:
        assessment = load_assessment_file(file)
    except AssessmentError as exc:
        fail(f"{file}: {line}" for line in exc.errors)
    inst = _instrument(assessment.instrument_version)
    _write(_json(assessment_bundle(assessment, inst, include_birth_date=with_birth_date)), output)


@fhir_app.command("import")
def fhir_import(
    file: Annotated[Path, typer.Argument(help="A FHIR Bundle or QuestionnaireResponse (JSON).")],
    output: Output = None,
) -> None:
    """A FHIR Bundle or QuestionnaireResponse back into an assessment file (JSON)."""
    try:
        document = read_document(file)
    except AssessmentError as exc:
        fail(exc.errors)
    try:
        assessment = assessment_from_fhir(document)
    except FhirImportError as exc:
        fail(f"{file}: {line}" for line in exc.errors)
    _write(_json(assessment), output)


@fhir_app.command("questionnaire")
def fhir_questionnaire(
    output: Output = None, instrument: InstrumentVersion = DEFAULT_VERSION
) -> None:
    """The instrument as a FHIR Questionnaire with its CodeSystems (a collection Bundle)."""
    _write(_json(instrument_bundle(_instrument(instrument))), output)


@app.command("redcap")
def redcap(output: Output = None, instrument: InstrumentVersion = DEFAULT_VERSION) -> None:
    """The instrument as a REDCap data dictionary (CSV), to collect it in REDCap."""
    buffer = io.StringIO()
    write_redcap_dictionary(_instrument(instrument), buffer)
    _write(buffer.getvalue(), output)
