"""``neuroseq report``: the PDF as a reader gets it (text via pdftotext), and bad input."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from neuroseq.cli import app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import load_instrument

runner = CliRunner()
pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing (make test installs it)"
)


def run(*args: str):
    return runner.invoke(app, list(args))


def pages_of(pdf: Path) -> list[str]:
    """The PDF's text, page by page (pdftotext separates pages with a form feed)."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [p for p in out.split("\f") if p.strip()]


def _real_with_flag_and_previous(tmp_path: Path) -> tuple[Path, Path]:
    """A non-synthetic record with a medical flag, and one six months earlier with lower
    ratings (the same child), so the report has flags, progress and no watermark."""
    now = copy.deepcopy(WORKED_EXAMPLE)
    now["synthetic"] = False
    now["client"]["pseudonym"] = "CHILD-0042"
    now["rater"] = "test"
    now["clinical_flags"]["cardiac_concern"] = True
    before = copy.deepcopy(now)
    before["assessment_date"] = "2025-09-15"
    before["functional"] = {k: (max(0, v - 1) if v else v) for k, v in now["functional"].items()}
    a, b = tmp_path / "now.json", tmp_path / "before.json"
    a.write_text(json.dumps(now), encoding="utf-8")
    b.write_text(json.dumps(before), encoding="utf-8")
    return a, b


@pytest.fixture(scope="module")
def clinician_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    tmp = tmp_path_factory.mktemp("clinician")
    now, before = _real_with_flag_and_previous(tmp)
    pdf = tmp / "report.pdf"
    result = run("report", str(now), "--previous", str(before), "-o", str(pdf))
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    return pages_of(pdf)


@pytest.fixture(scope="module")
def family_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    tmp = tmp_path_factory.mktemp("family")
    source = tmp / "example.json"
    source.write_text(json.dumps(WORKED_EXAMPLE), encoding="utf-8")
    pages = {}
    for audience in ("caregiver", "teacher"):
        pdf = tmp / f"{audience}.pdf"
        result = run("report", str(source), "--audience", audience, "-o", str(pdf))
        assert result.exit_code == 0, result.output
        pages[audience] = pages_of(pdf)
    return pages


def test_every_page_has_the_running_header_and_its_number(clinician_pages: list[str]):
    total = len(clinician_pages)
    assert 6 <= total <= 30
    for number, page in enumerate(clinician_pages, start=1):
        assert "CHILD-0042 · assessment 2026-03-16 · instrument 2" in page
        assert f"Page {number} of {total}" in page


def test_clinician_report_flags_come_before_any_activity(clinician_pages: list[str]):
    text = "\n".join(clinician_pages)
    flags = text.index("Needs attention first")
    assert flags < text.index("Developmental history")
    assert "Medical" in text[flags : text.index("Developmental history")]
    assert flags < text.index("Activities")


def test_clinician_report_has_every_part(clinician_pages: list[str]):
    text = "\n".join(clinician_pages)
    for part in (
        "Developmental history by period",
        "Functional Brain Map beside a typical child of the same age",
        "Developmental Challenges Score",
        "Explain Functional Score",
        "Age equivalents",
        "Progress since the previous signed assessment",
        "Compared with 2025-09-15",
        "Sequential plan",
    ):
        assert part in text, part
    # The earlier review rated every function one step lower: reliable improvement shows.
    assert "Improved (reliable change)" in text


def test_no_internal_ids_and_no_watermark_on_real_data(clinician_pages: list[str]):
    text = "\n".join(clinician_pages)
    inst = load_instrument("2")
    ids = [i for i in (*inst.function_ids, *inst.region_ids, *inst.flag_ids) if "_" in i]
    assert ids and not [i for i in ids if re.search(rf"\b{i}\b", text)]
    assert "SYNTHETIC" not in text


def test_family_reports_are_plain_and_marked_synthetic(family_pages: dict[str, list[str]]):
    jargon = (
        "Developmental Challenges",
        "Functional Score",
        "reliable change",
        "RCI",
        "Age-typical percent",
        "relational gate",
        "Explain",
    )
    inst = load_instrument("2")
    ids = [i for i in (*inst.function_ids, *inst.region_ids, *inst.flag_ids) if "_" in i]
    for audience, pages in family_pages.items():
        assert 2 <= len(pages) <= 10, audience
        text = "\n".join(pages)
        assert [i for i in ids if re.search(rf"\b{i}\b", text)] == [], audience
        assert [w for w in jargon if w.lower() in text.lower()] == [], audience
        assert all("SYNTHETIC" in page for page in pages), audience
        assert "EXAMPLE-10Y's brain map" in text
        assert "What the colours mean" in text
        assert "How often" in text and "Who" in text
    assert "What helps at school" in "\n".join(family_pages["teacher"])
    assert "What helps at home" in "\n".join(family_pages["caregiver"])
    assert "your child" not in "\n".join(family_pages["teacher"])


def test_a_caregiver_reads_the_health_check_before_anything_else(tmp_path: Path):
    now, _ = _real_with_flag_and_previous(tmp_path)
    pdf = tmp_path / "family.pdf"
    assert run("report", str(now), "--audience", "caregiver", "-o", str(pdf)).exit_code == 0
    text = "\n".join(pages_of(pdf))
    first = text.index("First, with the clinic team")
    assert "Health check first" in text[first : text.index("CHILD-0042's brain map")]
    assert first < text.index("What to do")


def test_bad_input_exits_2_naming_the_field(tmp_path: Path):
    broken = copy.deepcopy(WORKED_EXAMPLE)
    broken["assessment_date"] = "next week"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    out = tmp_path / "out.pdf"
    result = run("report", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert "assessment_date" in result.output
    assert not out.exists()
    result = run("report", str(tmp_path / "missing.json"), "-o", str(out))
    assert result.exit_code == 2 and "missing.json" in result.output


def test_previous_must_be_earlier_and_the_same_child(tmp_path: Path):
    now, before = _real_with_flag_and_previous(tmp_path)
    out = tmp_path / "out.pdf"
    result = run("report", str(before), "--previous", str(now), "-o", str(out))
    assert result.exit_code == 2 and "--previous" in result.output
    assert "assessment_date" in result.output
    other = json.loads(before.read_text(encoding="utf-8"))
    other["client"]["pseudonym"] = "SOMEONE-ELSE"
    before.write_text(json.dumps(other), encoding="utf-8")
    result = run("report", str(now), "--previous", str(before), "-o", str(out))
    assert result.exit_code == 2 and "--previous" in result.output
    assert not out.exists()


def test_unknown_audience_is_refused(tmp_path: Path):
    source = tmp_path / "example.json"
    source.write_text(json.dumps(WORKED_EXAMPLE), encoding="utf-8")
    result = run("report", str(source), "--audience", "neighbour", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert "--audience" in result.output
