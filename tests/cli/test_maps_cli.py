"""``neuroseq map`` and ``neuroseq progress`` end to end, through the typer app."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import neuroseq.cli.maps  # noqa: F401  (registers the commands)
from neuroseq.cli.app import app
from neuroseq.cohort.example import WORKED_EXAMPLE

SVG = "{http://www.w3.org/2000/svg}"
runner = CliRunner()


def write(path: Path, **changes: Any) -> Path:
    doc = copy.deepcopy(WORKED_EXAMPLE)
    doc.update(changes)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def shifted(delta: int) -> dict[str, int | None]:
    return {
        k: None if v is None else min(3, max(0, v + delta))
        for k, v in WORKED_EXAMPLE["functional"].items()
    }


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [
        write(tmp_path / "a.json", assessment_date="2025-03-10", functional=shifted(-1)),
        write(tmp_path / "b.json", assessment_date="2025-09-15"),
        write(tmp_path / "c.json", assessment_date="2026-03-16", functional=shifted(1)),
    ]


def rects(svg_path: Path) -> list[ET.Element]:
    root = ET.parse(svg_path).getroot()
    return [r for r in root.iter(f"{SVG}rect") if "data-function" in r.attrib]


def test_map_writes_an_svg(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "map.svg"
    result = runner.invoke(app, ["map", str(files[1]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(rects(out)) == 32
    assert "SYNTHETIC" in out.read_text()


def test_map_to_standard_output(files: list[Path]) -> None:
    result = runner.invoke(app, ["map", str(files[1])])
    assert result.exit_code == 0
    assert result.stdout.startswith("<svg")


def test_map_typical_compare_and_ages(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "typ.svg"
    assert runner.invoke(app, ["map", str(files[1]), "--typical", "-o", str(out)]).exit_code == 0
    assert len(rects(out)) == 64
    out = tmp_path / "chg.svg"
    result = runner.invoke(app, ["map", str(files[2]), "--compare", str(files[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert {r.attrib["data-change"] for r in rects(out)} >= {"improved"}
    out = tmp_path / "ages.svg"
    assert runner.invoke(app, ["map", str(files[1]), "--ages", "-o", str(out)]).exit_code == 0
    assert "age now: 9 years 6 months" in out.read_text()


def test_map_bad_input_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.json", functional={"sleep_regulation": 7, "nonsense": 1})
    result = runner.invoke(app, ["map", str(bad), "-o", str(tmp_path / "x.svg")])
    assert result.exit_code == 2
    assert "functional.sleep_regulation" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.svg").exists()


def test_map_refuses_png_and_conflicting_options(files: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["map", str(files[1]), "-o", str(tmp_path / "map.png")])
    assert result.exit_code == 2 and "--output" in result.output
    result = runner.invoke(app, ["map", str(files[1]), "--typical", "--ages"])
    assert result.exit_code == 2 and "choose one" in result.output


def test_map_compare_refuses_another_child(files: list[Path], tmp_path: Path) -> None:
    other = write(
        tmp_path / "other.json", client={"pseudonym": "LAKE-02", "birth_date": "2016-03-14"}
    )
    result = runner.invoke(app, ["map", str(files[1]), "--compare", str(other)])
    assert result.exit_code == 2
    assert "different children" in result.output and "Traceback" not in result.output


def test_progress_table(files: list[Path]) -> None:
    result = runner.invoke(app, ["progress", str(files[0]), str(files[2])])
    assert result.exit_code == 0, result.output
    assert "Functional Score" in result.output and "improved" in result.output
    assert "SYNTHETIC" in result.output and "1.96" in result.output


def test_progress_shows_change_against_typical_development(files: list[Path]) -> None:
    result = runner.invoke(app, ["progress", str(files[0]), str(files[2])])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Against typical development" in text and "typical child's change" in text
    assert "Developmental velocity" in text
    as_json = runner.invoke(app, ["progress", str(files[0]), str(files[2]), "--json"])
    data = json.loads(as_json.stdout)
    overall = data["overall"]
    adjusted = {s["key"]: s for s in overall["age_adjusted"]}
    assert set(adjusted) == {
        "age_typical_percent",
        "sensory_integration",
        "self_regulation",
        "relational",
        "cognitive",
    }
    assert adjusted["age_typical_percent"]["rci"] is not None  # v2 has a reference SD
    assert len(overall["developmental_velocity"]) == 4
    assert all("per month" in v["text"] for v in overall["developmental_velocity"])
    assert len(data["age_typical_percent"]) == 2


def test_progress_json_and_trend_chart(files: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "trend.svg"
    result = runner.invoke(
        app, ["progress", str(files[2]), str(files[0]), str(files[1]), "--json", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dates"] == ["2025-03-10", "2025-09-15", "2026-03-16"]
    assert len(data["steps"]) == 2
    total = next(s for s in data["overall"]["scores"] if s["key"] == "functional_score")
    assert total["classification"] == "improved" and total["reliable"] is True
    assert ET.parse(out).getroot().attrib["role"] == "img"


def test_progress_needs_two_files_of_one_child(files: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["progress", str(files[0])])
    assert result.exit_code == 2 and "two or more" in result.output
    other = write(
        tmp_path / "other.json", client={"pseudonym": "LAKE-02", "birth_date": "2016-03-14"}
    )
    result = runner.invoke(app, ["progress", str(files[0]), str(other)])
    assert result.exit_code == 2 and "client.pseudonym" in result.output
    missing = runner.invoke(app, ["progress", str(files[0]), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    assert "Traceback" not in result.output + missing.output
