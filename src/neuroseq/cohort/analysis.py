"""Challenges vs function across a cohort (the seed's Figure 1), its models and residuals.

Fed chunk by chunk with named score columns (those of the batch scorer, or of a scores
CSV), :class:`CohortAnalysis` keeps only sufficient statistics for the models, a fixed
size random sample of points for the plot, and the four numbers per child the residual
comparison needs, spooled to a temporary file (the residual sign is known only once the
line is fitted). Memory therefore stays bounded however many assessments stream through.

Figures (docs/cohort.md):

- the least-squares line of the age-adjusted functional score (age-typical percent by
  default, the raw Functional Score as an option) on the Developmental Challenges Score,
  with its 95% band, n, r and the slope with its CI;
- the residual analysis: relational health of children below vs above the line;
- the multiple regression: function on challenges + relational health history +
  current relational health + age (standardised coefficients with CIs, R^2, n);
- the timing model: function on the adversity load of each developmental period.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal

import numpy as np

from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.moments import Moments
from neuroseq.cohort.regression import LineFit, OlsFit, fit_line, fit_ols
from neuroseq.cohort.residuals import GroupComparison, compare_groups, residual_correlation
from neuroseq.instrument import Instrument

Outcome = Literal["age_typical_percent", "functional_score"]
Colour = Literal["history", "current"]

CHALLENGES = "developmental_challenges_score"
HISTORY = "relational_health_history_score"
CURRENT = "current_relational_health"
AGE = "age_months"
OUTCOMES: dict[str, str] = {
    "age_typical_percent": "Functional Score, percent of the typical child of the same age",
    "functional_score": "Functional Score (raw, not adjusted for age)",
}
COLOURS: dict[str, str] = {
    "history": HISTORY,
    "current": CURRENT,
}
SAMPLE_SIZE = 2_000
_SPOOL_COLUMNS = 4  # challenges, outcome, history, current
SPOOL_BLOCK_ROWS = 16_384  # rows read back at a time for the residual comparison


def labels(inst: Instrument) -> dict[str, str]:
    names = {
        CHALLENGES: "Developmental Challenges Score",
        HISTORY: "relational health history",
        CURRENT: "current relational health",
        AGE: "age in months",
        **OUTCOMES,
    }
    for p in inst.periods:
        names[f"period_load.{p.id}"] = f"adversity load, {p.label.lower()}"
    return names


@dataclass(frozen=True)
class PlotSample:
    """A uniform random sample of children for the scatter (the line uses all of them)."""

    x: np.ndarray
    y: np.ndarray
    colour: np.ndarray  # the relational measure chosen for colour (NaN = not rated)


@dataclass(frozen=True)
class CohortFit:
    outcome: Outcome
    colour: Colour
    n_records: int
    n_synthetic: int
    line: LineFit
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    residuals: dict[str, GroupComparison | None]
    multiple: OlsFit | None
    timing: OlsFit | None
    sample: PlotSample
    labels: Mapping[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def synthetic(self) -> bool:
        return self.n_synthetic > 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "outcome_label": OUTCOMES[self.outcome],
            "colour_by": COLOURS[self.colour],
            "n_records": self.n_records,
            "n_synthetic": self.n_synthetic,
            "synthetic": self.synthetic,
            "line": self.line.to_dict(),
            "residuals": {k: None if v is None else v.to_dict() for k, v in self.residuals.items()},
            "multiple_regression": None if self.multiple is None else self.multiple.to_dict(),
            "timing_model": None if self.timing is None else self.timing.to_dict(),
            "notes": list(self.notes),
        }


class CohortAnalysis:
    """Accumulate chunks of scored assessments, then :meth:`result` fits everything."""

    def __init__(
        self,
        inst: Instrument,
        *,
        outcome: Outcome = "age_typical_percent",
        colour: Colour = "history",
        sample_size: int = SAMPLE_SIZE,
        seed: int = 0,
    ):
        if outcome not in OUTCOMES:
            raise CohortError([f"outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}"])
        if colour not in COLOURS:
            raise CohortError([f"colour: expected history or current, got {colour!r}"])
        self.inst = inst
        self.outcome: Outcome = outcome
        self.colour: Colour = colour
        self.labels = labels(inst)
        self.periods = [f"period_load.{p}" for p in inst.period_ids]
        self.line = Moments((CHALLENGES, outcome))
        self.relational = {m: Moments((CHALLENGES, outcome, m)) for m in (HISTORY, CURRENT)}
        self.multiple = Moments((CHALLENGES, HISTORY, CURRENT, AGE, outcome))
        self.timing = Moments((*self.periods, outcome))
        self.n_records = 0
        self.n_synthetic = 0
        self._x_range = [np.inf, -np.inf]
        self._y_range = [np.inf, -np.inf]
        self._sample_size = sample_size
        self._rng = np.random.default_rng(seed)
        self._sample_keys = np.zeros(0)
        self._sample = np.zeros((0, 3))
        # Lives as long as the analysis; closed by close() / the with-block.
        self._spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> CohortAnalysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, columns: Mapping[str, np.ndarray], synthetic: np.ndarray | None = None) -> None:
        """One chunk of named columns (``age_months``, the scores, ``period_load.*``)."""
        missing = [c for c in (CHALLENGES, self.outcome, HISTORY, CURRENT, AGE) if c not in columns]
        if missing:
            raise CohortError([f"columns: missing {', '.join(missing)}"])
        size = len(columns[CHALLENGES])

        def col(name: str) -> np.ndarray:
            """A column as floats; an absent period load is unknown (the timing model says so)."""
            if name not in columns:
                return np.full(size, np.nan)
            return np.asarray(columns[name], dtype=float)

        x, y, h, c, age = col(CHALLENGES), col(self.outcome), col(HISTORY), col(CURRENT), col(AGE)
        n = x.shape[0]
        self.n_records += n
        if synthetic is not None:
            self.n_synthetic += int(np.count_nonzero(synthetic))
        self.line.add([x, y])
        self.relational[HISTORY].add([x, y, h])
        self.relational[CURRENT].add([x, y, c])
        self.multiple.add([x, h, c, age, y])
        self.timing.add([*(col(p) for p in self.periods), y])
        both = ~np.isnan(x) & ~np.isnan(y)
        if both.any():
            self._x_range = [
                min(self._x_range[0], x[both].min()),
                max(self._x_range[1], x[both].max()),
            ]
            self._y_range = [
                min(self._y_range[0], y[both].min()),
                max(self._y_range[1], y[both].max()),
            ]
        spool = np.column_stack([x, y, h, c])[both]
        self._spool.write(spool.astype(np.float64).tobytes())
        self._add_sample(x[both], y[both], (h if self.colour == "history" else c)[both])

    def _add_sample(self, x: np.ndarray, y: np.ndarray, colour: np.ndarray) -> None:
        """Keep the rows with the smallest random keys: a uniform sample of fixed size."""
        keys = np.concatenate([self._sample_keys, self._rng.random(x.shape[0])])
        rows = np.concatenate([self._sample, np.column_stack([x, y, colour])])
        if keys.shape[0] > self._sample_size:
            keep = np.argpartition(keys, self._sample_size)[: self._sample_size]
            keys, rows = keys[keep], rows[keep]
        self._sample_keys, self._sample = keys, rows

    def _residual_groups(self, line: LineFit) -> dict[str, tuple[Moments, Moments]]:
        groups = {
            HISTORY: (Moments(("v",)), Moments(("v",))),
            CURRENT: (Moments(("v",)), Moments(("v",))),
        }
        self._spool.seek(0)
        width = 8 * _SPOOL_COLUMNS
        while True:
            block = self._spool.read(width * SPOOL_BLOCK_ROWS)
            if not block:
                break
            rows = np.frombuffer(block, dtype=np.float64).reshape(-1, _SPOOL_COLUMNS)
            residual = rows[:, 1] - line.predict(rows[:, 0])
            for k, measure in enumerate((HISTORY, CURRENT)):
                values = rows[:, 2 + k]
                below, above = groups[measure]
                below.add([values[residual < 0]])
                above.add([values[residual > 0]])
        return groups

    def load_summaries(
        self,
        *,
        line: Moments,
        relational: Mapping[str, Moments],
        multiple: Moments,
        timing: Moments,
        n_records: int,
        n_synthetic: int,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        sample: np.ndarray,
    ) -> None:
        """Summaries a database computed (SQL aggregates) in place of :meth:`add`.

        The names of each ``Moments`` must be those :meth:`add` would have used; ``sample``
        is (rows, 3): x, y and the colour measure. Pass the residual groups to :meth:`result`.
        """
        expected = {
            "line": (line, self.line),
            "history": (relational[HISTORY], self.relational[HISTORY]),
            "current": (relational[CURRENT], self.relational[CURRENT]),
            "multiple": (multiple, self.multiple),
            "timing": (timing, self.timing),
        }
        for name, (given, own) in expected.items():
            if given.names != own.names:
                raise ValueError(f"{name}: expected moments of {own.names}, got {given.names}")
        self.line, self.multiple, self.timing = line, multiple, timing
        self.relational = {HISTORY: relational[HISTORY], CURRENT: relational[CURRENT]}
        self.n_records, self.n_synthetic = n_records, n_synthetic
        self._x_range, self._y_range = list(x_range), list(y_range)
        self._sample = np.asarray(sample, dtype=float).reshape(-1, 3)

    def result(
        self,
        residual_groups: Callable[[LineFit], dict[str, tuple[Moments, Moments]]] | None = None,
    ) -> CohortFit:
        """Fit the line (required) and the models (each reported, or explained in notes).

        ``residual_groups``: the relational measures of the children below and above the
        fitted line, when a database computes them; by default read back from the spool.
        """
        line = fit_line(self.line, CHALLENGES, self.outcome, labels=self.labels)
        notes: list[str] = []
        residuals: dict[str, GroupComparison | None] = {}
        groups = (residual_groups or self._residual_groups)(line)
        for measure, (below, above) in groups.items():
            moments = self.relational[measure]
            corr = (
                residual_correlation(moments, CHALLENGES, self.outcome, measure, line.slope)
                if moments.n > 2
                else float("nan")
            )
            residuals[measure] = compare_groups(measure, below, above, corr)
            if residuals[measure] is None:
                notes.append(
                    f"residual analysis of {self.labels[measure]}: fewer than two children "
                    "with it rated on one side of the line"
                )
        multiple = self._try(
            "multiple regression",
            notes,
            lambda: fit_ols(
                self.multiple, [CHALLENGES, HISTORY, CURRENT, AGE], self.outcome, labels=self.labels
            ),
        )
        timing = self._try("timing model", notes, self._fit_timing)
        return CohortFit(
            outcome=self.outcome,
            colour=self.colour,
            n_records=self.n_records,
            n_synthetic=self.n_synthetic,
            line=line,
            x_range=(float(self._x_range[0]), float(self._x_range[1])),
            y_range=(float(self._y_range[0]), float(self._y_range[1])),
            residuals=residuals,
            multiple=multiple,
            timing=timing,
            sample=PlotSample(self._sample[:, 0], self._sample[:, 1], self._sample[:, 2]),
            labels=self.labels,
            notes=tuple(notes),
        )

    def _fit_timing(self) -> OlsFit:
        """Periods in which no child had any load cannot be estimated: left out, noted."""
        sd = self.timing.sd() if self.timing.n > 1 else np.zeros(len(self.timing.names))
        used = [p for p in self.periods if sd[self.timing.index(p)] > 0]
        dropped = [self.labels[p] for p in self.periods if p not in used]
        if not used:
            raise CohortError(["no developmental period has any variation in adversity load"])
        notes = (
            [f"left out (no child had any load there, or all the same): {', '.join(dropped)}"]
            if dropped
            else []
        )
        return fit_ols(self.timing, used, self.outcome, labels=self.labels, notes=notes)

    @staticmethod
    def _try(name: str, notes: list[str], fit: Any) -> OlsFit | None:
        try:
            result: OlsFit = fit()
        except CohortError as exc:
            notes.extend(f"{name} not fitted: {e}" for e in exc.errors)
            return None
        return result


def analyse(
    inst: Instrument,
    columns: Mapping[str, np.ndarray],
    *,
    synthetic: np.ndarray | None = None,
    outcome: Outcome = "age_typical_percent",
    colour: Colour = "history",
) -> CohortFit:
    """One call for data already in memory (e.g. an analytics page's query result)."""
    with CohortAnalysis(inst, outcome=outcome, colour=colour) as analysis:
        analysis.add(columns, synthetic)
        return analysis.result()
