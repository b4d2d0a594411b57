"""The reliability figures of v2 come from a reference sample computed by a command, with
provenance; this recomputes them (and checks what r is said to be).

The SD accumulator is checked against numpy's two-pass standard deviation.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from neuroseq.cli import app
from neuroseq.instrument import InstrumentError, load_instrument
from neuroseq.instrument.loader import DATA_DIR
from neuroseq.progress.reference import RunningMoments, measure_reference

V2_DIR = Path(DATA_DIR) / "v2"
STORED = yaml.safe_load((V2_DIR / "reference.yaml").read_text(encoding="utf-8"))


def test_provenance_names_the_command_and_what_r_is() -> None:
    p = STORED["provenance"]
    argv = shlex.split(p["command"])
    assert argv[:3] == ["neuroseq", "instrument", "reference"]
    assert argv[argv.index("--n") + 1] == str(p["n"])
    assert argv[argv.index("--seed") + 1] == str(p["seed"])
    assert p["instrument_version"] == "2"
    assert "NOT measured" in p["r_is"] and "synthetic cohort cannot give" in p["r_is"]
    rel = load_instrument("2").reliability
    assert rel.provenance is not None and rel.provenance.n == p["n"]
    assert "NOT measured" in rel.source


@pytest.mark.slow
def test_stored_sds_are_what_the_command_measures() -> None:
    p = STORED["provenance"]
    figures = measure_reference(load_instrument("2"), n=p["n"], seed=p["seed"])
    assert STORED["functional_score"]["sd"] == pytest.approx(figures.functional_score, abs=0.05)
    assert STORED["age_typical_percent"]["sd"] == pytest.approx(
        figures.age_typical_percent, abs=0.05
    )
    for key, measured in (
        ("regions", figures.regions),
        ("domains", figures.domains),
        ("domain_age_typical_percent", figures.domain_age_typical_percent),
    ):
        for item, sd in measured.items():
            assert STORED[key][item]["sd"] == pytest.approx(sd, abs=0.05), (key, item)


@pytest.mark.slow
def test_v1s_stated_sds_were_about_30_percent_below_its_reference_cohort() -> None:
    v1 = load_instrument("1")
    measured = measure_reference(v1, n=20_000, seed=0)
    ratio = v1.reliability.functional_score.sd / measured.functional_score
    assert ratio < 0.8  # 18 stated against about 25-30 measured
    for d in v1.domain_ids:
        assert v1.reliability.domains[d].sd / measured.domains[d] < 0.8, d


@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=200),
    st.integers(1, 7),
)
def test_running_sd_equals_the_two_pass_sd(values: list[float], chunks: int) -> None:
    m = RunningMoments()
    for part in np.array_split(np.asarray(values), chunks):
        m.add(np.append(part, np.nan))  # NaN (not rated) is skipped
    assert m.count == len(values)
    assert m.sd == pytest.approx(float(np.std(values, ddof=1)), rel=1e-9, abs=1e-9)


def test_command_writes_a_file_the_loader_reads(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(V2_DIR, tmp_path / "v2")
    (tmp_path / "v2" / "reference.yaml").unlink()
    with pytest.raises(InstrumentError, match="reference.yaml: file missing"):
        load_instrument("2", data_dir=tmp_path)
    out = tmp_path / "v2" / "reference.yaml"
    result = CliRunner().invoke(
        app, ["instrument", "reference", "--n", "400", "--seed", "3", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["provenance"]["n"] == 400 and written["provenance"]["seed"] == 3
    inst = load_instrument("2", data_dir=tmp_path)
    assert inst.reliability.functional_score.sd == written["functional_score"]["sd"]
    assert inst.reliability.functional_score.reliability == 0.85


def test_bad_options_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["instrument", "reference", "--n", "5", "-o", str(tmp_path / "r.yaml")]
    )
    assert result.exit_code == 2
    assert not (tmp_path / "r.yaml").exists()
