"""`neuroseq instrument diff 1 2`: what changed, checked against facts read from the two
versions' YAML files (not against the diff's own output)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from neuroseq.cli import app
from neuroseq.instrument import load_instrument
from neuroseq.instrument.diff import diff_instruments
from neuroseq.instrument.loader import DATA_DIR

V1, V2 = load_instrument("1"), load_instrument("2")


def _functions(version: str) -> dict[str, Any]:
    path = Path(DATA_DIR) / f"v{version}" / "functions.yaml"
    return {f["id"]: f for f in yaml.safe_load(path.read_text("utf-8"))["functions"]}


def test_items_added_removed_and_merged() -> None:
    d = diff_instruments(V1, V2)
    by_kind = {(c.kind, c.previous, c.current) for c in d.items}
    assert ("retired", ("temperature_regulation",), None) in by_kind
    assert ("merged", ("concrete_reasoning", "abstract_reasoning"), "reasoning") in by_kind
    assert ("added", (), "literacy") in by_kind
    assert ("added", (), "continence") in by_kind
    old, new = set(_functions("1")), set(_functions("2"))
    accounted_old = {p for c in d.items for p in c.previous}
    accounted_new = {c.current for c in d.items if c.current}
    assert old - new == accounted_old
    assert new - old == accounted_new
    assert all(c.why for c in d.items)  # every documented change says why


def test_anchors_norms_and_weights() -> None:
    d = diff_instruments(V1, V2)
    old, new = _functions("1"), _functions("2")
    kept = set(old) & set(new)
    changed_anchor_items = {c.where.split(".")[0] for c in d.section("anchors")}
    expected = {f for f in kept if old[f]["anchors"] != new[f]["anchors"]}
    assert changed_anchor_items == expected and "attachment" in expected
    # sentences at 4 years: v1 1.25 + (48 - 36) / 60 = 1.45; v2 2 + 8 / 128 = 2.06
    norms = {c.where: (c.before, c.after) for c in d.section("norms")}
    assert norms["expressive_language.typical status at 48 months"] == (1.45, 2.06)
    assert not d.section("weights")  # every weight is 1.0 in both versions
    assert all(f["weight"] == 1.0 for f in [*old.values(), *new.values()])


def test_scales_transforms_flags_and_reliability() -> None:
    d = diff_instruments(V1, V2)
    transforms = {c.where: (c.before, c.after) for c in d.section("transforms")}
    assert transforms["transforms.kind"] == ("exponential", "hyperbolic")
    assert transforms["transforms.challenges_scale"] == (25, 60)
    words = {c.where: (c.before, c.after) for c in d.section("status_words")}
    assert words["status 1.plain_label"] == ("a real struggle", "just starting")
    flags = d.section("flags")
    assert len(flags) == len(V2.flags) and all(c.before is None for c in flags)
    cardiac = "cardiac_concern (medical, heart_rate_regulation)"
    assert any(c.where.startswith(cardiac) for c in flags)
    reliability = {c.where: (c.before, c.after) for c in d.section("reliability")}
    assert reliability["functional_score"][0] == "SD 18, r 0.85"
    ages = {c.where: (c.before, c.after) for c in d.section("age_equivalents")}
    assert ages["age_equivalents.resolution_months"] == (None, 36)


def test_a_version_against_itself_has_no_differences() -> None:
    assert diff_instruments(V2, V2).empty
    result = CliRunner().invoke(app, ["instrument", "diff", "2", "2"])
    assert result.exit_code == 0 and "No differences." in result.stdout


def test_cli_text_and_json() -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["instrument", "diff", "1", "2"])
    assert text.exit_code == 0
    for heading in ("Items", "Anchors", "Norms", "Transforms", "Clinical flags", "Status words"):
        assert heading in text.stdout
    data = json.loads(runner.invoke(app, ["instrument", "diff", "1", "2", "--json"]).stdout)
    assert data["old_version"] == "1" and data["new_version"] == "2"
    assert {"items", "anchors", "norms", "weights", "transforms", "flags"} <= set(data)


def test_unknown_version_exits_2() -> None:
    result = CliRunner().invoke(app, ["instrument", "diff", "1", "9"])
    assert result.exit_code == 2
    assert "'9' not found" in result.output
