"""``neuroseq cohort fit`` and ``neuroseq cohort outcomes`` end to end, and bad input
giving exit 2 with a plain message (never a traceback)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from neuroseq.cli import app
from neuroseq.cohort.example import WORKED_EXAMPLE


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def cohort_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cohort") / "cohort.jsonl"
    assert run("synth", "--n", "400", "--seed", "5", "-o", path).exit_code == 0
    return path


def test_fit_json_and_plot(cohort_file: Path, tmp_path: Path) -> None:
    plot = tmp_path / "fig.svg"
    result = run("cohort", "fit", cohort_file, "--plot", plot, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["synthetic"] is True and data["n_records"] == 400
    assert data["outcome"] == "age_typical_percent"
    assert data["line"]["n"] == 400 and data["line"]["slope"] < 0
    assert data["multiple_regression"]["n"] > 3
    svg = plot.read_text(encoding="utf-8")
    assert "SYNTHETIC DATA" in svg and "percent of the typical child" in svg


def test_fit_from_the_batch_scores_csv_agrees_with_the_assessments(
    cohort_file: Path, tmp_path: Path
) -> None:
    scores = tmp_path / "scores.csv"
    assert run("score", "--batch", cohort_file, "-o", scores).exit_code == 0
    header = scores.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert "age_months" in header and "domain_age_typical_percent.relational" in header
    from_scores = json.loads(run("cohort", "fit", scores, "--y", "raw", "--json").stdout)
    from_records = json.loads(run("cohort", "fit", cohort_file, "--y", "raw", "--json").stdout)
    assert from_scores["outcome"] == "functional_score"
    assert from_scores["line"]["slope"] == pytest.approx(from_records["line"]["slope"], rel=1e-6)
    assert from_scores["synthetic"] is True
    text = run("cohort", "fit", scores, "--colour", "current")
    assert "Challenges vs function: n = 400" in text.output
    assert "SYNTHETIC" in text.output


def test_fit_reads_the_assessment_csv_too(tmp_path: Path) -> None:
    from neuroseq.cli.cohort import CHALLENGES as CLI_NAME
    from neuroseq.cohort.analysis import CHALLENGES

    assert CLI_NAME == CHALLENGES  # the CLI tells a scores CSV by this column
    path = tmp_path / "cohort.csv"
    assert run("synth", "--n", "200", "--seed", "6", "-o", path).exit_code == 0
    result = run("cohort", "fit", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["line"]["n"] == 200


def visit(day: str, shift: int) -> dict[str, Any]:
    record = copy.deepcopy(WORKED_EXAMPLE)
    record["assessment_date"] = day
    record["functional"] = {
        k: None if v is None else max(0, min(3, v + shift)) for k, v in record["functional"].items()
    }
    return record


def test_outcomes_of_a_client_who_improved(tmp_path: Path) -> None:
    path = tmp_path / "visits.jsonl"
    path.write_text(
        "\n".join(json.dumps(r) for r in (visit("2026-03-16", -1), visit("2026-09-16", 2))) + "\n",
        encoding="utf-8",
    )
    chart = tmp_path / "outcomes.svg"
    result = run("cohort", "outcomes", path, "--json", "--plot", chart)
    assert result.exit_code == 0, result.output
    svg = chart.read_text(encoding="utf-8")
    assert 'data-scope="functional_score" data-class="improved" data-count="1"' in svg
    assert "SYNTHETIC DATA" in svg and "<desc" in svg
    data = json.loads(result.stdout)
    total = data["groups"][0]["scores"][0]
    assert total["key"] == "functional_score"
    assert total["clients"]["improved"] == ["EXAMPLE-10Y"]
    assert data["synthetic"] is True
    groups = tmp_path / "groups.csv"
    groups.write_text("pseudonym,group\nEXAMPLE-10Y,Riverside team\n", encoding="utf-8")
    shown = run("cohort", "outcomes", path, "--groups", groups, "--show-clients")
    assert shown.exit_code == 0 and "Riverside team: 1 clients followed" in shown.output
    assert "improved: EXAMPLE-10Y" in shown.output


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (None, ["cohort", "fit"], "file not found"),
        ("x.txt", ["cohort", "fit"], "expected a .jsonl"),
        ('{"format": "nope"}\n', ["cohort", "fit"], "nothing was fitted"),
        ("header_only", ["cohort", "fit"], "no records"),
        ("two", ["cohort", "fit"], "at least 3 children"),
        ("scores_missing", ["cohort", "fit"], "missing column(s)"),
        ("two", ["cohort", "outcomes", "--groups", "none.csv"], "--groups"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, setup: str | None, args: list[str], expected: str
) -> None:
    if setup is None:
        target: Path = tmp_path / "missing.jsonl"
    elif setup == "x.txt":
        target = tmp_path / "x.txt"
        target.write_text("x", encoding="utf-8")
    elif setup == "header_only":
        target = tmp_path / "empty.jsonl"
        target.write_text("", encoding="utf-8")
    elif setup == "two":
        target = tmp_path / "two.jsonl"
        target.write_text(
            "\n".join(json.dumps(visit(d, 0)) for d in ("2026-03-16", "2026-04-16")) + "\n",
            encoding="utf-8",
        )
    elif setup == "scores_missing":
        target = tmp_path / "scores.csv"
        target.write_text("pseudonym,developmental_challenges_score\nA,3\n", encoding="utf-8")
    else:
        target = tmp_path / "bad.jsonl"
        target.write_text(setup, encoding="utf-8")
    command = args[:2] + [str(target)] + args[2:]
    if "--groups" in command:
        command[command.index("--groups") + 1] = str(tmp_path / "none.csv")
    result = run(*command)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output
