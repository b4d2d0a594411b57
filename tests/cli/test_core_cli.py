"""Core CLI: example -> validate -> score; batch scoring; bad input of every kind gives
exit 2 with a message naming the field and never a traceback."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from neuroseq.assessment import parse_assessment
from neuroseq.cli import app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument
from neuroseq.interop.assessment_csv import row_to_record
from neuroseq.scoring import score_assessment

INST = load_instrument()
NEUROSEQ = Path(sys.executable).parent / "neuroseq"
REQUIRED_KEYS = {
    "developmental_challenges_score",
    "period_load",
    "region_impact",
    "relational_health_history_score",
    "current_relational_health",
    "relational_gate",
    "functional_score",
    "region_scores",
    "domain_scores",
    "age_typical_percent",
    "age_equivalents_months",
    "missing_items",
    "instrument_version",
}


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Undo rich's line wrapping so messages can be matched whole."""
    return " ".join(text.split())


def bad_input(result: Any, *expected: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = flat(result.output)
    assert message.startswith("error: "), message
    for e in expected:
        assert e in message, message
    return message


@pytest.fixture
def example_file(tmp_path: Path) -> Path:
    path = tmp_path / "example.json"
    result = run("example", "-o", path)
    assert result.exit_code == 0, result.output
    return path


# -- happy path ---------------------------------------------------------------------------


def test_example_to_stdout_is_the_worked_example() -> None:
    result = run("example")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == WORKED_EXAMPLE


def test_example_validate_score_json(example_file: Path) -> None:
    result = run("validate", example_file)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "31 functions rated" in flat(result.stdout)

    result = run("score", example_file, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= REQUIRED_KEYS
    expected = score_assessment(parse_assessment(dict(WORKED_EXAMPLE), INST), INST).to_dict()
    assert data["instrument_version"] == "2"  # the default for new assessments
    assert data["developmental_challenges_score"] == pytest.approx(
        expected["developmental_challenges_score"]
    )
    assert data["domain_scores"] == pytest.approx(expected["domain_scores"])
    assert set(data["region_impact"]) == set(INST.region_ids)
    assert set(data["age_equivalents_months"]) == set(INST.domain_ids)
    assert data["missing_items"] == ["self_reflection"]


def test_score_tables(example_file: Path) -> None:
    result = run("score", example_file)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "SYNTHETIC" in out
    for name in ("Developmental Challenges Score", "Functional Score", "Relational gate"):
        assert name in out
    for region in INST.regions:
        assert region.name in out
    for domain in INST.domains:
        assert domain.name in out
    assert "self_reflection" in out  # the missing item is reported
    # regions are shown top-down (frontal cortex first, brainstem last) like the brain map
    assert out.index(INST.region("frontal_cortex").name) < out.index(INST.region("brainstem").name)


def test_score_explain(example_file: Path) -> None:
    result = run("score", example_file, "--explain", "functional_score", "--json")
    assert result.exit_code == 0, result.output
    e = json.loads(result.stdout)
    assert e["score"] == "functional_score"
    terms = e["terms"]
    assert len(terms) == 31
    expected = 100 / 3 * sum(t["contribution"] for t in terms) / sum(t["weight"] for t in terms)
    assert e["value"] == pytest.approx(expected, rel=1e-12)

    table = run("score", example_file, "--explain", "region_impact.brainstem")
    assert table.exit_code == 0
    assert "neglect in m2_6" in table.stdout


def test_score_explain_unknown_key(example_file: Path) -> None:
    bad_input(run("score", example_file, "--explain", "nope"), "--explain", "no score 'nope'")


def test_instrument_show_one_and_json() -> None:
    result = run("instrument", "show", "heart_rate_regulation")
    assert result.exit_code == 0
    assert "heart_rate_regulation" in result.stdout and "brainstem" in result.stdout

    result = run("instrument", "show", "heart_rate_regulation", "--json")
    assert result.exit_code == 0
    f = json.loads(result.stdout)
    assert f["id"] == "heart_rate_regulation"
    assert f["norms"][0] == {"age_months": 0.0, "status": 1.0}

    result = run("instrument", "show", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [f["id"] for f in data["functions"]] == list(INST.function_ids)
    assert "not the proprietary" in flat(data["header"]["disclaimer"])

    listing = run("instrument", "show")
    assert listing.exit_code == 0
    assert all(fid in listing.stdout for fid in INST.function_ids)


def test_instrument_show_unknown_function() -> None:
    bad_input(run("instrument", "show", "nope"), "function_id", "'nope'")


def test_schema_is_valid_json_with_every_function() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert set(schema["properties"]["functional"]["properties"]) == set(INST.function_ids)


def test_instrument_docs_to_file(tmp_path: Path) -> None:
    from neuroseq.instrument.docs import render_instrument_markdown

    out = tmp_path / "instrument.md"
    assert run("instrument", "docs", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == render_instrument_markdown(INST)


# -- bad single files -----------------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: str | bytes | dict[str, Any]) -> Path:
    path = tmp_path / name
    if isinstance(content, dict):
        path.write_text(json.dumps(content), encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _example_with(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(WORKED_EXAMPLE)), **changes}


@pytest.mark.parametrize("command", ["validate", "score"])
@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "bad.json",
            '{\n  "assessment_date": \n}',
            ("bad.json", "not valid JSON", "line 3 column 1"),
        ),
        ("bad.yaml", "functional: [\n", ("bad.yaml", "not valid YAML")),
        ("list.json", "[1, 2]", ("expected an object",)),
        ("text.yaml", "just words\n", ("expected an object",)),
        ("binary.json", b"\xff\xfe\x00garbage", ("binary.json", "cannot read")),
        (
            "range.json",
            {"functional": {"heart_rate_regulation": 7}},
            ("functional.heart_rate_regulation: expected 0-3 or null, got 7",),
        ),
        ("unknown.json", {"functional": {"foo": 1}}, ("functional.foo: unknown function id",)),
        ("extra.json", {"colour": "blue"}, ("colour: unknown field",)),
        (
            "severity.yaml",
            {"adversities": [{"type": "neglect", "period": "m0_2", "severity": 5}]},
            ("adversities[0].severity: expected 1, 2 or 3, got 5",),
        ),
    ],
)
def test_bad_files_exit_2_naming_the_problem(
    tmp_path: Path, command: str, name: str, content: Any, expected: tuple[str, ...]
) -> None:
    if isinstance(content, dict):
        content = _example_with(**content)
        if name.endswith(".yaml"):
            import yaml

            content = yaml.safe_dump(content)
    path = _write(tmp_path, name, content)
    message = bad_input(run(command, path), *expected)
    assert "valid (" not in message


def test_missing_file_exit_2(tmp_path: Path) -> None:
    bad_input(run("validate", tmp_path / "nope.json"), "nope.json", "file not found")
    bad_input(run("score", tmp_path / "nope.json", "--json"), "nope.json", "file not found")


def test_every_problem_on_its_own_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "two.json", _example_with(functional={"foo": 1, "heart_rate_regulation": 9})
    )
    result = run("validate", path)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 2


def test_real_console_script_exit_2_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "range.json", _example_with(functional={"attachment": 7}))
    proc = subprocess.run(
        [str(NEUROSEQ), "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "functional.attachment: expected 0-3 or null, got 7" in flat(proc.stderr)


# -- synth and batch ----------------------------------------------------------------------


def _read_scores(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _check_batch_output(rows: list[dict[str, str]], records: list[dict[str, Any]]) -> None:
    assert len(rows) == len(records)
    header = set(rows[0])
    for r in INST.region_ids:
        assert f"region_score.{r}" in header and f"region_impact.{r}" in header
    for d in INST.domain_ids:
        assert f"domain_score.{d}" in header and f"age_equivalent_months.{d}" in header
    for row, record in zip(rows, records, strict=True):
        s = score_assessment(parse_assessment(record, INST), INST)
        assert row["pseudonym"] == record["client"]["pseudonym"]
        assert row["relational_gate"] == s.relational_gate
        assert int(row["missing_items"]) == len(s.missing_items)
        pairs = [
            ("developmental_challenges_score", s.developmental_challenges_score),
            ("functional_score", s.functional_score),
            ("current_relational_health", s.current_relational_health),
            ("relational_health_history_score", s.relational_health_history_score),
            ("age_typical_percent", s.age_typical_percent),
        ]
        pairs += [(f"region_score.{r}", s.region_scores[r]) for r in INST.region_ids]
        pairs += [(f"region_impact.{r}", s.region_impact[r]) for r in INST.region_ids]
        pairs += [(f"domain_score.{d}", s.domain_scores[d]) for d in INST.domain_ids]
        pairs += [
            (f"age_equivalent_months.{d}", ae.months if (ae := s.age_equivalents[d]) else None)
            for d in INST.domain_ids
        ]
        for column, expected in pairs:
            if expected is None:
                assert row[column] == "", column
            else:
                assert np.isclose(float(row[column]), expected, rtol=1e-9, atol=1e-9), column


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_synth_then_batch_score(tmp_path: Path, suffix: str) -> None:
    cohort = tmp_path / f"cohort{suffix}"
    result = run("synth", "--n", "40", "--seed", "5", "-o", cohort)
    assert result.exit_code == 0, result.output
    if suffix == ".jsonl":
        records = [json.loads(line) for line in cohort.read_text().splitlines()]
    else:
        with cohort.open(encoding="utf-8", newline="") as fh:
            records = [row_to_record(row) for row in csv.DictReader(fh)]
    assert len(records) == 40
    assert all(r["synthetic"] is True for r in records)
    out = tmp_path / "scores.csv"
    result = run("score", "--batch", cohort, "-o", out)
    assert result.exit_code == 0, result.output
    _check_batch_output(_read_scores(out), records)


def test_synth_is_deterministic_and_csv_matches_jsonl(tmp_path: Path) -> None:
    for name in ("a.jsonl", "b.jsonl"):
        assert run("synth", "--n", "15", "--seed", "2", "-o", tmp_path / name).exit_code == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def test_synth_rejects_wrong_extension(tmp_path: Path) -> None:
    bad_input(run("synth", "--n", "3", "-o", tmp_path / "x.txt"), "--output", "x.txt")
    assert not (tmp_path / "x.txt").exists()


def test_batch_with_one_bad_line_writes_nothing(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    assert run("synth", "--n", "6", "--seed", "1", "-o", cohort).exit_code == 0
    lines = cohort.read_text().splitlines()
    record = json.loads(lines[2])
    record["functional"]["heart_rate_regulation"] = 9
    lines[2] = json.dumps(record)
    cohort.write_text("\n".join(lines) + "\n")
    out = tmp_path / "scores.csv"
    message = bad_input(run("score", "--batch", cohort, "-o", out))
    assert "line 3" in message
    assert "functional.heart_rate_regulation: expected 0-3 or null, got 9" in message
    assert "nothing was written" in message
    assert not out.exists()
    assert list(tmp_path.glob(".*partial")) == []


def test_batch_with_invalid_json_line(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    assert run("synth", "--n", "3", "--seed", "1", "-o", cohort).exit_code == 0
    with cohort.open("a") as fh:
        fh.write("{broken\n")
    out = tmp_path / "scores.csv"
    bad_input(run("score", "--batch", cohort, "-o", out), "line 4", "not valid JSON")
    assert not out.exists()


def test_batch_bad_csv_cell_names_row_and_column(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.csv"
    assert run("synth", "--n", "3", "--seed", "1", "-o", cohort).exit_code == 0
    with cohort.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("fn.attachment")
    rows[2][col] = "lots"
    with cohort.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "scores.csv"
    bad_input(run("score", "--batch", cohort, "-o", out), "row 3", "fn.attachment")
    assert not out.exists()


def test_batch_does_not_replace_an_existing_output_on_error(tmp_path: Path) -> None:
    cohort = _write(tmp_path, "bad.jsonl", '{"assessment_date": "2026-01-01"}\n')
    out = _write(tmp_path, "scores.csv", "previous results\n")
    bad_input(run("score", "--batch", cohort, "-o", out), "line 1")
    assert out.read_text() == "previous results\n"


def test_batch_wrong_extension_and_missing_output(tmp_path: Path, example_file: Path) -> None:
    bad_input(run("score", "--batch", example_file, "-o", tmp_path / "o.csv"), ".jsonl or .csv")
    bad_input(run("score", "--batch", example_file), "--output")
    bad_input(
        run("score", "--batch", tmp_path / "nope.jsonl", "-o", tmp_path / "o.csv"), "not found"
    )
    assert not (tmp_path / "o.csv").exists()


def test_batch_non_utf8_file_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    cohort = _write(tmp_path, "latin1.jsonl", b"\xff\xfe{}\n")
    out = tmp_path / "scores.csv"
    bad_input(run("score", "--batch", cohort, "-o", out), "latin1.jsonl")
    assert not out.exists()


def test_batch_scores_v1_records_with_the_v1_instrument(tmp_path: Path) -> None:
    from neuroseq.cohort.example import WORKED_EXAMPLE_V1

    cohort = tmp_path / "v1.jsonl"
    cohort.write_text(json.dumps(WORKED_EXAMPLE_V1) + "\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    # the default (v2) refuses a v1 record, naming the field
    refused = run("score", "--batch", cohort, "-o", out)
    assert refused.exit_code == 2 and "instrument_version: expected '2', got '1'" in refused.output
    assert not out.exists()
    result = run("score", "--batch", cohort, "--instrument", "1", "-o", out)
    assert result.exit_code == 0, result.output
    (row,) = _read_scores(out)
    # v1's worked example as main computed it before v2 (tests/scoring/test_v1_pinned.py)
    assert float(row["functional_score"]) == pytest.approx(68.81720430107528, rel=1e-9)
    assert float(row["developmental_challenges_score"]) == pytest.approx(98.4853715126953)
    bad = run("score", "--batch", cohort, "--instrument", "7", "-o", out)
    assert bad.exit_code == 2 and "'7' not found" in bad.output
