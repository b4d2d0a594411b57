"""``neuroseq plan FILE [--json] [--audience ...]``: output, and exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import neuroseq.cli.plan  # noqa: F401  (registers the command, as the CLI package does)
from neuroseq.assessment import parse_assessment
from neuroseq.cli.app import app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.plan import plan_for_assessment

runner = CliRunner()


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "example.json"
    path.write_text(json.dumps(WORKED_EXAMPLE), encoding="utf-8")
    return path


def test_json_output(example_file: Path) -> None:
    result = runner.invoke(app, ["plan", str(example_file), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = plan_for_assessment(parse_assessment(WORKED_EXAMPLE)).to_dict()
    assert data == expected  # the CLI prints the library's plan, nothing else
    assert data["instrument_version"] == "2"
    assert data["relational_gate"] == "marginal"
    assert data["synthetic"] is True
    assert {"blocks", "coverage", "focus_rule", "relational_core"} <= set(data)
    rec = data["phases"][0]["recommendations"][0]
    assert {"activity", "setting", "delivered_by", "dosage", "reasons"} <= set(rec)


@pytest.mark.parametrize("audience", ["clinician", "caregiver", "teacher"])
def test_text_output_per_audience(example_file: Path, audience: str) -> None:
    result = runner.invoke(app, ["plan", str(example_file), "--audience", audience])
    assert result.exit_code == 0, result.output
    assert "made-up example" in result.stdout or "SYNTHETIC" in result.stdout
    if audience == "clinician":
        assert "Phase 1: " in result.stdout and "Focus rule:" in result.stdout
    else:
        assert "## Where we start: " in result.stdout and "We call it" in result.stdout


def test_bad_assessment_exits_2_naming_the_fields(tmp_path: Path) -> None:
    bad = dict(WORKED_EXAMPLE)
    bad["functional"] = {**WORKED_EXAMPLE["functional"], "sleep_regulation": 7, "nonsense": 1}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(app, ["plan", str(path)])
    assert result.exit_code == 2
    assert "functional.sleep_regulation" in result.output
    assert "functional.nonsense" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{not json", "not valid JSON"), ("[]", "expected an object")],
)
def test_unreadable_file_exits_2(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["plan", str(path)])
    assert result.exit_code == 2
    assert expected in result.output


def test_missing_file_and_bad_audience_exit_2(example_file: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["plan", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    audience = runner.invoke(app, ["plan", str(example_file), "--audience", "parent"])
    assert audience.exit_code == 2 and "--audience" in audience.output
