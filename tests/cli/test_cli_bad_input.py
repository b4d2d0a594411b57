"""CLI files and bad input (issue 10, finding 6): CSV formula escaping in what the CLI
writes, CSV imports that need the instrument's columns, header problems reported once,
``validate`` accepting every format ``score`` does and listing every problem in one pass."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuroseq.cli import app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.interop.csv_cells import FORMULA_START


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_batch_scores_csv_escapes_a_formula_in_a_pseudonym(tmp_path: Path) -> None:
    record = copy.deepcopy(WORKED_EXAMPLE)
    record["client"]["pseudonym"] = '=HYPERLINK("http://evil.example")'
    out = tmp_path / "scores.csv"
    result = run("score", "--batch", _jsonl(tmp_path / "in.jsonl", [record]), "-o", out)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'
    for row in rows:
        for cell in row:
            assert cell[:1] not in FORMULA_START or cell.lstrip("-").replace(".", "").isdigit()


def _synth(tmp_path: Path, name: str, n: int = 20) -> Path:
    path = tmp_path / name
    assert run("synth", "--n", str(n), "--seed", "3", "-o", path).exit_code == 0
    return path


def _rewrite_csv(path: Path, keep: list[str] | None = None, extra: str | None = None) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = keep or list(rows[0])
    if extra:
        header.append(extra)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, **({extra: "blue"} if extra else {})})


def bad_input(result: Any, *expected: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = flat(result.output)
    for e in expected:
        assert e in message, message
    return message


FIVE_COLUMNS = ["pseudonym", "birth_date", "assessment_date", "synthetic", "rater"]


def test_a_csv_without_the_instrument_s_columns_is_refused_not_scored_as_zero(
    tmp_path: Path,
) -> None:
    cohort = _synth(tmp_path, "cohort.csv")
    _rewrite_csv(cohort, keep=FIVE_COLUMNS)
    out = tmp_path / "scores.csv"
    message = bad_input(
        run("score", "--batch", cohort, "-o", out), "header: missing columns adversities"
    )
    assert message.count("header:") == 1 and "nothing was written" in message
    assert not out.exists()
    bad_input(run("validate", cohort), "header: missing columns adversities")


def test_a_wrong_header_is_reported_once_not_once_per_row(tmp_path: Path) -> None:
    cohort = _synth(tmp_path, "cohort.csv")
    _rewrite_csv(cohort, extra="favourite_colour")
    message = bad_input(
        run("score", "--batch", cohort, "-o", tmp_path / "s.csv"),
        "header: unknown column favourite_colour",
    )
    assert message.count("favourite_colour") == 1


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_validate_accepts_every_format_score_does(tmp_path: Path, suffix: str) -> None:
    cohort = _synth(tmp_path, f"cohort{suffix}")
    result = run("validate", cohort)
    assert result.exit_code == 0, result.output
    assert "20 assessments valid" in flat(result.output)


def test_validate_lists_every_problem_of_every_record_in_one_pass(tmp_path: Path) -> None:
    first = copy.deepcopy(WORKED_EXAMPLE)
    first["functional"]["attunement"] = "lots"
    first["adversities"].append({"type": "neglect", "period": "y40", "severity": 2})
    second = copy.deepcopy(WORKED_EXAMPLE)
    second["functional"]["heart_rate_regulation"] = 9
    path = _jsonl(tmp_path / "two.jsonl", [first, WORKED_EXAMPLE, second])
    message = bad_input(run("validate", path))
    assert "line 1: functional.attunement: expected 0-3 or null, got 'lots'" in message
    assert "unknown period 'y40'" in message
    assert "line 3: functional.heart_rate_regulation: expected 0-3 or null, got 9" in message
    single = tmp_path / "one.json"
    single.write_text(json.dumps(first), encoding="utf-8")
    bad_input(run("validate", single), "got 'lots'", "unknown period 'y40'")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("huge.json", '{"assessment_date": ' + "9" * 5000 + "}", "a number with 5000 digits"),
        ("deep.json", "[" * 500 + "]" * 500, "nested 500 levels deep"),
        ("date.yaml", "assessment_date: 2026-13-45\n", "not valid YAML"),
        ("deep.yaml", "a: " + "[" * 3000 + "]" * 3000 + "\n", "nested too deep"),
    ],
)
def test_hostile_files_are_bad_input_not_a_crash(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    for command in (["validate", path], ["score", path]):
        bad_input(run(*command), expected)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=200),
        st.text(alphabet=',;"\n{}[]:0123456789abcfnr.-@ \t', max_size=200).map(str.encode),
    ),
    suffix=st.sampled_from([".json", ".yaml", ".jsonl", ".csv"]),
)
def test_validate_answers_any_file_with_0_or_2(tmp_path: Path, content: bytes, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    result = run("validate", path)
    assert result.exit_code in {0, 2}, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
