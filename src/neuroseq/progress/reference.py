"""The reference sample behind the reliable change index: SDs measured, r stated.

``neuroseq instrument reference --n N --seed S -o reference.yaml`` generates a synthetic
cohort (``neuroseq synth``), scores it with the batch scorer and writes the standard
deviation of every score the progress report tests for reliable change, with the
command, seed, n and date that produced them. The reliabilities (r) are *not* measured:
a synthetic cohort can give an SD, it cannot give a test-retest reliability. They are
the stated assumptions passed to the command and written beside the SDs as such.

The SDs are accumulated chunk by chunk (Chan et al.'s parallel update of mean and sum
of squares), so any n runs in constant memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from neuroseq.cohort.synth import iter_chunks
from neuroseq.instrument import Instrument
from neuroseq.scoring.batch import score_batch

DEFAULT_N = 20_000
DEFAULT_SEED = 0
DEFAULT_R_TOTAL = 0.85  # whole-scale scores (functional score, age-typical percent)
DEFAULT_R_SUBSCALE = 0.80  # region and domain scores, per-domain age-typical percent
SD_IS = (
    "SD is the standard deviation of each score across that cohort (children aged 2 to 18 "
    "years with the generated mix of adversity; unrated items excluded as in scoring); "
    "it is a property of the generated cohort, to be replaced by the SD of a clinical "
    "reference sample when one exists."
)
R_IS = (
    "r is NOT measured: it is an assumed test-retest reliability ({total:g} for the whole "
    "scale, {subscale:g} for region and domain sub-scales), a conservative value typical of "
    "clinician-rated functional scales. A synthetic cohort cannot give a test-retest r; "
    "replace it with the reliability measured on staffing data when available. Until then "
    "every reliable-change classification is provisional."
)


@dataclass
class RunningMoments:
    """Count, mean and sum of squared deviations of one column, NaN excluded."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, values: np.ndarray) -> None:
        x = values[~np.isnan(values)]
        n_b = int(x.shape[0])
        if n_b == 0:
            return
        mean_b = float(x.mean())
        m2_b = float(((x - mean_b) ** 2).sum())
        n = self.count + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * self.count * n_b / n
        self.count = n

    @property
    def sd(self) -> float:
        """Sample standard deviation (n - 1)."""
        if self.count < 2:
            raise ValueError("an SD needs at least two values")
        return float(np.sqrt(self.m2 / (self.count - 1)))


@dataclass
class ReferenceFigures:
    """SDs of every score of the progress report in one reference sample."""

    n: int
    seed: int
    functional_score: float
    regions: dict[str, float]
    domains: dict[str, float]
    age_typical_percent: float
    domain_age_typical_percent: dict[str, float]
    counts: dict[str, int] = field(default_factory=dict)


def _columns(inst: Instrument, n: int, seed: int) -> Iterator[dict[str, np.ndarray]]:
    for chunk in iter_chunks(n, seed, inst):
        s = score_batch(chunk.batch, inst)
        cols = {
            "functional_score": s.functional_score,
            "age_typical_percent": s.age_typical_percent,
        }
        for j, r in enumerate(inst.region_ids):
            cols[f"regions.{r}"] = s.region_scores[:, j]
        for j, d in enumerate(inst.domain_ids):
            cols[f"domains.{d}"] = s.domain_scores[:, j]
            cols[f"domain_age_typical_percent.{d}"] = s.domain_age_typical_percent[:, j]
        yield cols


def measure_reference(
    inst: Instrument, n: int = DEFAULT_N, seed: int = DEFAULT_SEED
) -> ReferenceFigures:
    """Generate and score the reference cohort, returning the SD of each score."""
    moments: dict[str, RunningMoments] = {}
    for cols in _columns(inst, n, seed):
        for key, values in cols.items():
            moments.setdefault(key, RunningMoments()).add(values)

    def sd(key: str) -> float:
        return moments[key].sd

    return ReferenceFigures(
        n=n,
        seed=seed,
        functional_score=sd("functional_score"),
        regions={r: sd(f"regions.{r}") for r in inst.region_ids},
        domains={d: sd(f"domains.{d}") for d in inst.domain_ids},
        age_typical_percent=sd("age_typical_percent"),
        domain_age_typical_percent={
            d: sd(f"domain_age_typical_percent.{d}") for d in inst.domain_ids
        },
        counts={key: m.count for key, m in moments.items()},
    )


def _figure(sd: float, r: float) -> str:
    return f"{{sd: {sd:.1f}, reliability: {r:g}}}"


def render_reference_yaml(
    inst: Instrument,
    figures: ReferenceFigures,
    *,
    command: str,
    r_total: float = DEFAULT_R_TOTAL,
    r_subscale: float = DEFAULT_R_SUBSCALE,
    today: dt.date | None = None,
) -> str:
    """reference.yaml text: provenance, then one ``{sd, reliability}`` per score."""
    day = (today or dt.date.today()).isoformat()
    lines = [
        f"# Reliability figures of instrument v{inst.version} for the reliable change index.",
        "# GENERATED by the command in provenance.command: do not edit by hand; re-run it.",
        "provenance:",
        f"  command: {json.dumps(command)}",
        f'  instrument_version: "{inst.version}"',
        "  generator: neuroseq synth, the labelled-synthetic cohort of docs/synthetic.md",
        f"  n: {figures.n}",
        f"  seed: {figures.seed}",
        f'  date: "{day}"',
        f"  sd_is: {json.dumps(SD_IS)}",
        f"  r_is: {json.dumps(R_IS.format(total=r_total, subscale=r_subscale))}",
        f"functional_score: {_figure(figures.functional_score, r_total)}",
        "regions:",
        *(f"  {r}: {_figure(v, r_subscale)}" for r, v in figures.regions.items()),
        "domains:",
        *(f"  {d}: {_figure(v, r_subscale)}" for d, v in figures.domains.items()),
        f"age_typical_percent: {_figure(figures.age_typical_percent, r_total)}",
        "domain_age_typical_percent:",
        *(
            f"  {d}: {_figure(v, r_subscale)}"
            for d, v in figures.domain_age_typical_percent.items()
        ),
    ]
    return "\n".join(lines) + "\n"
