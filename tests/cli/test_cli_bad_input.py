"""CLI files and bad input (issue 10, finding 6): CSV formula escaping in what the CLI
writes, CSV imports that need the instrument's columns, header problems reported once,
``validate`` accepting every format ``score`` does and listing every problem in one pass."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

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
