"""``neuroseq cohort fit`` and ``neuroseq cohort outcomes`` (docs/cohort.md).

Both stream the file in chunks through the batch scorer with a progress bar; nothing
holds all rows (see :mod:`neuroseq.cohort.analysis` for what the fit keeps).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer

from neuroseq.assessment import Assessment, AssessmentError, parse_assessment
from neuroseq.cli.app import app, console, error_console, fail
from neuroseq.cli.batch import CHUNK, HeaderError, _count_lines, _progress, _records
from neuroseq.cohort.errors import CohortError
from neuroseq.cohort.outcomes import CLASSES, Outcomes, OutcomeTracker, score_matrix
from neuroseq.cohort.outcomes_chart import render_outcomes_chart
from neuroseq.instrument import Instrument, load_instrument
from neuroseq.interop.assessment_csv import RowError
from neuroseq.json_finite import finite
from neuroseq.scoring.batch import BatchInput, BatchScores, score_batch

if TYPE_CHECKING:
    from neuroseq.cohort.analysis import CohortFit

# The fit (scipy) is imported inside the command, so that every other `neuroseq`
# command starts without loading it.
CHALLENGES = "developmental_challenges_score"

cohort_app = typer.Typer(help="Cohort analytics: challenges vs function, outcomes.")
app.add_typer(cohort_app, name="cohort")

MAX_ERRORS_SHOWN = 20


def say(text: str) -> None:
    """One line of plain output: no wrapping at the terminal width, no markup."""
    console.print(text, soft_wrap=True, highlight=False, markup=False)


class YChoice(StrEnum):
    age_typical = "age-typical"
    raw = "raw"


class ColourChoice(StrEnum):
    history = "history"
    current = "current"


@dataclass
class ScoredChunk:
    assessments: list[Assessment]
    scores: BatchScores


def _check_file(path: Path) -> None:
    if not path.is_file():
        fail([f"{path}: file not found"])
    if path.suffix.lower() not in {".jsonl", ".csv"}:
        fail([f"{path}: expected a .jsonl (assessments) or .csv (assessments or scores) file"])


def _is_scores_csv(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return False
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    return CHALLENGES in header


def iter_scored(path: Path, inst: Instrument, progress: Any, task: Any) -> Iterator[ScoredChunk]:
    """Valid assessments of ``path`` in scored chunks; any invalid record stops with exit 2."""
    errors: list[str] = []
    batch: list[Assessment] = []
    records = _records(path, inst)
    try:
        first = next(records, None)  # a CSV's header is checked before its first row
    except HeaderError as exc:
        fail([f"{path.name} {p}" for p in exc.problems] + ["nothing was fitted"])
    for location, record in itertools.chain([first] if first else [], records):
        try:
            if isinstance(record, RowError):
                raise AssessmentError([str(record)])
            batch.append(parse_assessment(record, inst))
        except AssessmentError as exc:
            errors.extend(f"{path.name} {location}: {e}" for e in exc.errors)
            if len(errors) >= MAX_ERRORS_SHOWN:
                break
            continue
        if len(batch) == CHUNK and not errors:
            yield ScoredChunk(batch, score_batch(BatchInput.from_assessments(batch, inst), inst))
            progress.advance(task, len(batch))
            batch = []
    if errors:
        fail(errors[:MAX_ERRORS_SHOWN] + ["nothing was fitted; correct the records and retry"])
    if batch:
        yield ScoredChunk(batch, score_batch(BatchInput.from_assessments(batch, inst), inst))
        progress.advance(task, len(batch))


def _float(text: str | None) -> float:
    if text is None or not text.strip():
        return math.nan
    try:
        return float(text)
    except ValueError:
        return math.nan


def iter_scores_csv(
    path: Path, inst: Instrument, progress: Any, task: Any, columns: list[str]
) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
    """Chunks of named float columns from a ``neuroseq score --batch`` CSV."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        absent = [c for c in columns if c not in header and not c.startswith("period_load.")]
        if absent:
            fail(
                [
                    f"{path.name}: header: missing column(s) {', '.join(absent)}; expected the "
                    "output of `neuroseq score --batch` (re-score older files to get age_months)"
                ]
            )
        rows: list[dict[str, str]] = []
        for number, row in enumerate(reader, start=2):
            bad = [
                c for c in (CHALLENGES, "age_months") if row.get(c) and math.isnan(_float(row[c]))
            ]
            if bad:
                fail(
                    [
                        f"{path.name} row {number}, column {bad[0]!r}: expected a number, "
                        f"got {row[bad[0]]!r}"
                    ]
                )
            rows.append(row)
            if len(rows) == CHUNK:
                yield _columns(rows, columns)
                progress.advance(task, len(rows))
                rows = []
        if rows:
            yield _columns(rows, columns)
            progress.advance(task, len(rows))


def _columns(
    rows: list[dict[str, str]], names: list[str]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    cols = {n: np.asarray([_float(r.get(n)) for r in rows]) for n in names}
    synthetic = np.asarray([str(r.get("synthetic", "")).lower() == "true" for r in rows])
    return cols, synthetic


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _print_fit(fit: CohortFit) -> None:
    line = fit.line
    if fit.synthetic:
        say(f"SYNTHETIC data: {fit.n_synthetic:,} of {fit.n_records:,} records are synthetic")
    say(f"y = {fit.labels[fit.outcome]}")
    say(
        f"Challenges vs function: n = {line.n:,}, r = {_fmt(line.r)}, slope {_fmt(line.slope, 3)} "
        f"(95% CI {_fmt(line.slope_ci_low, 3)} to {_fmt(line.slope_ci_high, 3)}), "
        f"intercept {_fmt(line.intercept, 1)}"
    )
    for measure, r in fit.residuals.items():
        if r is None:
            continue
        say(
            f"  {fit.labels[measure]}: below the line {_fmt(r.mean_below, 1)} (n {r.n_below:,}), "
            f"above {_fmt(r.mean_above, 1)} (n {r.n_above:,}); difference {_fmt(r.difference, 1)} "
            f"(95% CI {_fmt(r.ci_low, 1)} to {_fmt(r.ci_high, 1)}), d = {_fmt(r.cohens_d)}; "
            f"{_p(r.p_value)}; correlation with the residual {_fmt(r.residual_correlation)}"
        )
    for title, model in (("Multiple regression", fit.multiple), ("Timing model", fit.timing)):
        if model is None:
            continue
        say(f"{title}: n = {model.n:,}, R^2 = {_fmt(model.r_squared, 3)}")
        for c in model.coefficients:
            say(
                f"  {fit.labels.get(c.name, c.name)}: beta {_fmt(c.standardised, 3)} "
                f"(95% CI {_fmt(c.standardised_ci_low, 3)} to {_fmt(c.standardised_ci_high, 3)}); "
                f"b {_fmt(c.estimate, 3)}, {_p(c.p_value)}"
            )
        for note in model.notes:
            say(f"  note: {note}")
    for note in fit.notes:
        say(f"note: {note}")


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@cohort_app.command("fit")
def fit_command(
    file: Annotated[Path, typer.Argument(help="Assessments (.jsonl/.csv) or a scores .csv.")],
    y: Annotated[YChoice, typer.Option("--y", help="Functional score axis.")] = YChoice.age_typical,
    colour: Annotated[
        ColourChoice, typer.Option("--colour", help="Relational health to colour by.")
    ] = ColourChoice.history,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the SVG figure here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the plotted sample.")] = 0,
) -> None:
    """Challenges vs age-adjusted function: line, band, residuals, models (bounded memory)."""
    from neuroseq.cohort.plot import render_cohort_plot

    _check_file(file)
    inst = load_instrument()
    outcome = "age_typical_percent" if y is YChoice.age_typical else "functional_score"
    try:
        fit = _fit(file, inst, outcome, colour.value, seed)
    except CohortError as exc:
        fail(exc.errors)
    except UnicodeDecodeError:
        fail([f"{file}: not UTF-8 text"])
    if plot is not None:
        try:
            plot.write_text(render_cohort_plot(fit, inst), encoding="utf-8")
        except OSError as exc:
            fail([f"--plot: cannot write {plot}: {exc.strerror}"])
        error_console.print(f"wrote {plot}")
    if as_json:
        console.print_json(json.dumps(finite(fit.to_dict()), allow_nan=False))
    else:
        _print_fit(fit)


def _fit(file: Path, inst: Instrument, outcome: str, colour: str, seed: int) -> CohortFit:
    from neuroseq.cohort.analysis import CohortAnalysis

    scores_csv = _is_scores_csv(file)
    total = max(_count_lines(file) - (1 if file.suffix.lower() == ".csv" else 0), 0)
    with CohortAnalysis(inst, outcome=outcome, colour=colour, seed=seed) as analysis:  # type: ignore[arg-type]
        with _progress() as progress:
            task = progress.add_task("fitting", total=total)
            if scores_csv:
                names = [
                    CHALLENGES,
                    outcome,
                    "relational_health_history_score",
                    "current_relational_health",
                    "age_months",
                    *(f"period_load.{p}" for p in inst.period_ids),
                ]
                for cols, synthetic in iter_scores_csv(file, inst, progress, task, names):
                    analysis.add(cols, synthetic)
            else:
                for chunk in iter_scored(file, inst, progress, task):
                    analysis.add(
                        chunk.scores.columns(inst),
                        np.asarray([a.synthetic for a in chunk.assessments]),
                    )
        if analysis.n_records == 0:
            raise CohortError([f"{file.name}: no records"])
        return analysis.result()


def _read_groups(path: Path) -> dict[str, str]:
    if not path.is_file():
        fail([f"--groups: {path}: file not found"])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"pseudonym", "group"} <= set(reader.fieldnames):
            fail([f"--groups: {path.name}: expected a header with columns pseudonym,group"])
        return {row["pseudonym"]: row["group"] for row in reader}


@cohort_app.command("outcomes")
def outcomes_command(
    file: Annotated[Path, typer.Argument(help="Assessments (.jsonl or .csv), several per client.")],
    groups: Annotated[
        Path | None, typer.Option("--groups", help="CSV pseudonym,group (team or program).")
    ] = None,
    show_clients: Annotated[
        bool, typer.Option("--show-clients", help="List the clients behind each count.")
    ] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the SVG chart (all clients) here.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with client ids).")] = False,
) -> None:
    """First vs latest assessment per client, age-adjusted: improved / no change / worse."""
    _check_file(file)
    if _is_scores_csv(file):
        fail(
            [f"{file.name}: outcomes need the assessments (.jsonl or assessment .csv), not scores"]
        )
    inst = load_instrument()
    group_of = _read_groups(groups) if groups is not None else None
    tracker = OutcomeTracker(inst)
    try:
        with _progress() as progress:
            total = max(_count_lines(file) - (1 if file.suffix.lower() == ".csv" else 0), 0)
            task = progress.add_task("reading", total=total)
            for chunk in iter_scored(file, inst, progress, task):
                _track(tracker, chunk, group_of, file)
    except UnicodeDecodeError:
        fail([f"{file}: not UTF-8 text"])
    result = tracker.result()
    if plot is not None:
        try:
            plot.write_text(render_outcomes_chart(result, inst), encoding="utf-8")
        except OSError as exc:
            fail([f"--plot: cannot write {plot}: {exc.strerror}"])
        error_console.print(f"wrote {plot}")
    if as_json:
        console.print_json(json.dumps(finite(result.to_dict()), allow_nan=False))
    else:
        _print_outcomes(result, show_clients)


def _track(
    tracker: OutcomeTracker, chunk: ScoredChunk, group_of: dict[str, str] | None, file: Path
) -> None:
    missing = [i for i, a in enumerate(chunk.assessments) if not a.client.pseudonym]
    if missing:
        fail(
            [
                f"{file.name}: client.pseudonym: required to follow a client from first to latest "
                f"assessment; {len(missing)} record(s) in this chunk have none"
            ]
        )
    ids = [a.client.pseudonym or "" for a in chunk.assessments]
    scores, typical = score_matrix(chunk.scores)
    tracker.add(
        ids,
        [a.assessment_date.toordinal() for a in chunk.assessments],
        np.asarray([a.age_months for a in chunk.assessments]),
        scores,
        typical,
        groups=None if group_of is None else [group_of.get(i, "(no group)") for i in ids],
        synthetic=[a.synthetic for a in chunk.assessments],
    )


def _print_outcomes(result: Outcomes, show_clients: bool) -> None:
    if result.synthetic:
        say(f"SYNTHETIC data: {result.n_synthetic_clients:,} synthetic clients")
    say("Change from first to latest assessment, age-adjusted (Jacobson-Truax RCI)")
    for g in result.groups:
        say(
            f"{g.group}: {g.n_clients:,} clients followed ({g.n_single:,} with one assessment only)"
        )
        for s in g.scopes:
            counts = ", ".join(f"{k} {s.counts[k]}" for k in CLASSES)
            say(f"  {s.scope.name}: {counts}")
            if show_clients:
                for k in ("improved", "deteriorated"):
                    if s.clients[k]:
                        say(f"    {k}: {', '.join(s.clients[k])}")
    for note in result.notes:
        say(f"note: {note}")
