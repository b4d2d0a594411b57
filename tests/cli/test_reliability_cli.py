"""``neuroseq reliability``: the published examples through the CLI, and bad files
giving exit 2 with the column, unit or option named (never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from neuroseq.cli import app


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(app, ["reliability", *[str(a) for a in args]])


def write(tmp_path: Path, text: str, name: str = "ratings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# Shrout and Fleiss (1979) Table 2: 6 targets x 4 judges
SHROUT_FLEISS = "target,j1,j2,j3,j4\n" + "\n".join(
    f"t{i + 1},{row}"
    for i, row in enumerate(["9,2,5,8", "6,1,3,2", "8,4,6,8", "7,1,2,6", "10,5,6,9", "6,2,4,7"])
)


def test_icc_table_and_json(tmp_path: Path) -> None:
    path = write(tmp_path, SHROUT_FLEISS)
    shown = run(path, "--stat", "icc", "--form", "ICC2")
    assert shown.exit_code == 0, shown.output
    assert "ICC = 0.290" in shown.output and "95% CI 0.019 to 0.761" in shown.output
    as_json = run(path, "--stat", "icc", "--form", "ICC(C,1)", "--json")
    data = json.loads(as_json.stdout)
    assert data["form"] == "ICC3" and round(data["value"], 2) == 0.71
    assert data["raters"] == ["j1", "j2", "j3", "j4"] and data["n_units"] == 6


def test_kappa_with_chosen_raters_and_weights(tmp_path: Path) -> None:
    # SAS "Agreement Study" (skin condition), expanded to one row per patient
    table = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
    rows = ["patient,derm1,derm2,ignored"]
    for i, counts in enumerate(table):
        for j, count in enumerate(counts):
            rows += [f"p{len(rows)},{i},{j},0" for _ in range(count)]
    path = write(tmp_path, "\n".join(rows))
    result = run(path, "--stat", "kappa", "--raters", "derm1,derm2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["value"] == pytest.approx(0.3449, abs=5e-5)
    assert data["se"] == pytest.approx(0.0724, abs=5e-5)
    weighted = run(path, "--stat", "kappa", "--raters", "derm1,derm2", "--weights", "quadratic")
    assert weighted.exit_code == 0 and "quadratic weighted kappa" in weighted.output


def test_fleiss_from_counts_and_alpha_with_gaps(tmp_path: Path) -> None:
    # Wikipedia's Fleiss' kappa example: 10 subjects x 5 categories, 14 raters
    counts = write(
        tmp_path,
        "subject,c1,c2,c3,c4,c5\n"
        "1,0,0,0,0,14\n2,0,2,6,4,2\n3,0,0,3,5,6\n4,0,3,9,2,0\n5,2,2,8,1,1\n"
        "6,7,7,0,0,0\n7,3,2,6,3,0\n8,2,5,3,2,2\n9,6,5,2,1,0\n10,0,2,2,3,7\n",
        "counts.csv",
    )
    fleiss = run(counts, "--stat", "fleiss", "--layout", "counts", "--json")
    assert json.loads(fleiss.stdout)["value"] == pytest.approx(0.210, abs=5e-4)
    # Krippendorff (2011): units in rows, observers A-D in columns, gaps empty
    alpha = write(
        tmp_path,
        "unit,A,B,C,D\n1,1,1,,1\n2,2,2,3,2\n3,3,3,3,3\n4,3,3,3,3\n5,2,2,2,2\n6,1,2,3,4\n"
        "7,4,4,4,4\n8,1,1,2,1\n9,2,2,2,2\n10,,5,5,5\n11,,,1,1\n12,,3,,\n",
        "alpha.csv",
    )
    result = run(alpha, "--stat", "alpha", "--level", "interval", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == pytest.approx(0.849, abs=5e-4)
    agreement = run(alpha, "--stat", "agreement")
    assert agreement.exit_code == 0 and "within one level" in agreement.output


GAP = "unit,A,B\nu1,1,2\nu2,,3\nu3,2,2\n"
TWO = "unit,A,B\n1,1,2\n2,2,1\n"


@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        ("unit,A\n1,2\n2,3\n", ["--stat", "icc"], "expected at least 2 rater columns, got 1 ('A')"),
        ("unit,A,B\n1,2,2\n2,2,3\n3,2,1\n", ["--stat", "icc"], "column 'A': every rating is 2"),
        (GAP, ["--stat", "icc"], "unit 'u2' (row 3): missing rating from 'A'"),
        (GAP, ["--stat", "kappa"], "Cohen's kappa needs every rater"),
        ("unit,A,B\n1,1,x\n", ["--stat", "icc"], "row 2, column 'B': expected a number"),
        ("unit,A,B,C\n1,1,2,3\n2,2,2,1\n", ["--stat", "kappa"], "choose two with --raters"),
        (TWO, ["--stat", "icc", "--form", "ICC9"], "--form: unknown ICC form"),
        (TWO, ["--raters", "A,Z"], "--raters: 'Z' not in"),
        (TWO, ["--stat", "icc", "--layout", "counts"], "only --stat fleiss"),
        ("unit,A,B\n1,1\n", ["--stat", "icc"], "expected 3 cells, got 2"),
        ("", ["--stat", "icc"], "empty file"),
    ],
)  # fmt: skip
def test_bad_files_exit_2_naming_the_problem(
    tmp_path: Path, text: str, args: list[str], expected: str
) -> None:
    result = run(write(tmp_path, text), *args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_allow_constant_computes_anyway(tmp_path: Path) -> None:
    path = write(tmp_path, "unit,A,B\n1,2,2\n2,2,3\n3,2,1\n")
    result = run(path, "--stat", "icc", "--form", "ICC2", "--allow-constant", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == pytest.approx(0.0)


def test_missing_file(tmp_path: Path) -> None:
    result = run(tmp_path / "nope.csv")
    assert result.exit_code == 2 and "file not found" in result.output
