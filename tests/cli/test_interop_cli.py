"""``neuroseq fhir export|import|questionnaire`` and ``neuroseq redcap`` from the shell."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from neuroseq.assessment import load_assessment_file, parse_assessment
from neuroseq.cli import app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.scoring import score_assessment

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_export_then_import_gives_the_same_scores(tmp_path: Path):
    source = tmp_path / "child.json"
    source.write_text(json.dumps(WORKED_EXAMPLE), encoding="utf-8")
    bundle, back = tmp_path / "bundle.json", tmp_path / "back.json"
    assert run("fhir", "export", str(source), "-o", str(bundle)).exit_code == 0
    Bundle.model_validate(json.loads(bundle.read_text(encoding="utf-8")))
    assert "2016-03-14" not in bundle.read_text(encoding="utf-8")
    assert run("fhir", "import", str(bundle), "-o", str(back)).exit_code == 0
    original, imported = load_assessment_file(source), load_assessment_file(back)
    assert score_assessment(imported).to_dict() == score_assessment(original).to_dict()


def test_with_birth_date_round_trips_exactly(tmp_path: Path):
    source = tmp_path / "child.json"
    source.write_text(json.dumps(WORKED_EXAMPLE), encoding="utf-8")
    bundle = tmp_path / "bundle.json"
    assert run("fhir", "export", str(source), "--with-birth-date", "-o", str(bundle)).exit_code == 0
    result = run("fhir", "import", str(bundle))
    assert result.exit_code == 0
    assert parse_assessment(json.loads(result.stdout)) == parse_assessment(WORKED_EXAMPLE)


def test_import_refuses_what_is_not_our_fhir(tmp_path: Path):
    cases = {
        "plain.json": ('{"functional": {}}', "resourceType: missing"),
        "patient.json": ('{"resourceType": "Patient"}', "got 'Patient'"),
        "broken.json": ("{not json", "not valid JSON: line 1"),
        "assessment.json": (json.dumps(WORKED_EXAMPLE), "resourceType: missing"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = run("fhir", "import", str(path))
        assert result.exit_code == 2, name
        assert expected in result.stderr and "Traceback" not in result.stderr, name
    missing = run("fhir", "import", str(tmp_path / "nowhere.json"))
    assert missing.exit_code == 2 and "file not found" in missing.stderr


def test_export_refuses_an_invalid_assessment(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**WORKED_EXAMPLE, "functional": {"flying": 2}}), encoding="utf-8")
    result = run("fhir", "export", str(path))
    assert result.exit_code == 2 and "functional.flying: unknown function id" in result.stderr


def test_questionnaire_and_redcap_commands(tmp_path: Path):
    result = run("fhir", "questionnaire", "--instrument", "1")
    assert result.exit_code == 0
    kinds = [e["resource"]["resourceType"] for e in json.loads(result.stdout)["entry"]]
    assert kinds[0] == "Questionnaire" and set(kinds[1:]) == {"CodeSystem"}
    out = tmp_path / "dictionary.csv"
    assert run("redcap", "-o", str(out)).exit_code == 0
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert len(rows[0]) == 18 and rows[1][0] == "record_id"
    unknown = run("redcap", "--instrument", "99")
    assert unknown.exit_code == 2 and "instrument version '99' not found" in unknown.stderr
