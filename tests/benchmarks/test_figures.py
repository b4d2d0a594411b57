"""The benchmark table framework: goals, met/missed, one line per figure, the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

from figures import Goal, record_figure  # noqa: E402

finite = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False)


@given(target=finite, value=finite)
def test_goal_boundaries(target, value):
    at_most, at_least = Goal.parse(f"<= {target:.4f}"), Goal.parse(f">= {target:.4f}")
    assert at_most.met(value) == (value <= at_most.target)
    assert at_least.met(value) == (value >= at_least.target)
    assert at_most.met(at_most.target) and at_least.met(at_least.target)
    assert not Goal.parse(f"< {target:.4f}").met(at_most.target)


def test_distance_is_the_factor_to_the_goal():
    assert Goal.parse("<= 1.5").distance(3.0) == "2x the goal"
    assert Goal.parse(">= 0.3").distance(0.03) == "needs 10x more"
    assert Goal.parse(">= 0.3").distance(0.5) == ""


@pytest.mark.parametrize("text", ["1.5", "<= x", "=< 2", "", "<= -1"])
def test_a_malformed_goal_is_refused(text):
    with pytest.raises(ValueError, match="goal: expected"):
        Goal.parse(text)


def test_record_appends_one_json_line_per_figure(tmp_path, monkeypatch):
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("NEUROSEQ_BENCH_RESULTS", str(results))
    record_figure("list p50 100k / 1k", 1.2, "x", "<= 1.5")
    record_figure("maps per second", 600, "/s", ">= 50", "a note")
    lines = [json.loads(x) for x in results.read_text().splitlines()]
    assert lines == [
        {"figure": "list p50 100k / 1k", "value": 1.2, "unit": "x", "goal": "<= 1.5"},
        {
            "figure": "maps per second",
            "value": 600.0,
            "unit": "/s",
            "goal": ">= 50",
            "note": "a note",
        },
    ]


def test_record_without_a_results_file_only_validates(tmp_path, monkeypatch):
    monkeypatch.delenv("NEUROSEQ_BENCH_RESULTS", raising=False)
    record_figure("x", 1, "x", "<= 2")
    with pytest.raises(ValueError):
        record_figure("x", 1, "x", "about 2")


def test_summary_prints_every_figure_with_met_or_missed(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text(
        "\n".join(
            json.dumps(row)
            for row in [
                {
                    "figure": "page / trivial view: client list",
                    "value": 0.05,
                    "unit": "x",
                    "goal": ">= 0.3",
                },
                {"figure": "list p50 100k / 1k", "value": 1.1, "unit": "x", "goal": "<= 1.5"},
            ]
        )
        + "\n"
    )
    done = subprocess.run(
        [sys.executable, str(BENCH / "summary.py"), str(results)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2 figures, 1 met, 1 missed" in done.stdout
    rows = {line.split("|")[0].strip(): line for line in done.stdout.splitlines() if "|" in line}
    assert "MISSED" in rows["page / trivial view: client list"]
    assert "needs 6x more" in rows["page / trivial view: client list"]
    assert "| met" in rows["list p50 100k / 1k"]


def test_summary_reports_a_malformed_line(tmp_path):
    results = tmp_path / "results.jsonl"
    results.write_text('{"figure": "x", "value": 1, "unit": "x", "goal": "soon"}\n')
    done = subprocess.run(
        [sys.executable, str(BENCH / "summary.py"), str(results)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "results.jsonl:1" in done.stderr and "goal: expected" in done.stderr
