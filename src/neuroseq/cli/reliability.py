"""``neuroseq reliability``: agreement statistics of a ratings file (docs/reliability.md).

CSV layouts (a header row is required):

- wide (default): one row per unit (target, item, subject), the first column its label,
  then one column per rater; an empty cell (or NA) is a missing rating.
- counts (``--stat fleiss --layout counts``): one row per subject, the first column its
  label, then one column per category holding how many raters chose it.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from neuroseq.cli.app import app, console, fail
from neuroseq.json_finite import finite

# The statistics (scipy, statsmodels) are imported inside the command, so that every
# other `neuroseq` command starts without loading them.

MISSING = {"", "na", "nan", "n/a", "."}


def say(text: str) -> None:
    """One line of plain output: no wrapping at the terminal width, no markup."""
    console.print(text, soft_wrap=True, highlight=False, markup=False)


class Stat(StrEnum):
    icc = "icc"
    kappa = "kappa"
    fleiss = "fleiss"
    alpha = "alpha"
    agreement = "agreement"


class WeightChoice(StrEnum):
    none = "none"
    linear = "linear"
    quadratic = "quadratic"


class LevelChoice(StrEnum):
    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"
    ratio = "ratio"


class Layout(StrEnum):
    wide = "wide"
    counts = "counts"


@dataclass(frozen=True)
class Ratings:
    """A wide ratings file: unit labels, rater (or category) names, values (NaN = missing)."""

    units: list[str]
    columns: list[str]
    values: np.ndarray


def read_ratings(path: Path, *, has_id: bool) -> Ratings:
    if not path.is_file():
        fail([f"{path}: file not found"])
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except UnicodeDecodeError:
        fail([f"{path}: not UTF-8 text"])
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        fail([f"{path}: empty file; expected a header row and one row per unit"])
    header = [h.strip() for h in rows[0]]
    columns = header[1:] if has_id else header
    if len(set(columns)) != len(columns):
        dupes = sorted({c for c in columns if columns.count(c) > 1})
        fail([f"{path}: header: duplicate column name(s) {', '.join(repr(d) for d in dupes)}"])
    errors: list[str] = []
    units: list[str] = []
    values = np.full((len(rows) - 1, len(columns)), np.nan)
    for i, row in enumerate(rows[1:]):
        line = i + 2
        if len(row) != len(header):
            errors.append(f"{path.name} row {line}: expected {len(header)} cells, got {len(row)}")
            continue
        units.append(row[0].strip() if has_id else f"row {line}")
        cells = row[1:] if has_id else row
        for j, cell in enumerate(cells):
            text = cell.strip()
            if text.lower() in MISSING:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                errors.append(
                    f"{path.name} row {line}, column {columns[j]!r}: expected a number or an "
                    f"empty cell, got {text!r}"
                )
                continue
            values[i, j] = number
    if errors:
        fail(
            errors[:20]
            + ([f"... and {len(errors) - 20} more problems"] if len(errors) > 20 else [])
        )
    if not units:
        fail([f"{path}: no data rows; expected one row per unit under the header"])
    return Ratings(units, columns, values)


def _select(data: Ratings, raters: str | None, path: Path) -> Ratings:
    if raters is None:
        return data
    wanted = [r.strip() for r in raters.split(",") if r.strip()]
    unknown = [r for r in wanted if r not in data.columns]
    if unknown:
        fail(
            [
                f"--raters: {', '.join(repr(u) for u in unknown)} not in {path.name}; columns "
                f"are {', '.join(repr(c) for c in data.columns)}"
            ]
        )
    index = [data.columns.index(r) for r in wanted]
    return Ratings(data.units, wanted, data.values[:, index])


def _check_raters(data: Ratings, path: Path) -> None:
    if len(data.columns) < 2:
        named = f" ({data.columns[0]!r})" if data.columns else ""
        fail(
            [
                f"{path.name}: expected at least 2 rater columns, got {len(data.columns)}{named}; "
                "each rater is one column, each unit one row (the first column is the unit label)"
            ]
        )


def _check_complete(data: Ratings, path: Path, statistic: str) -> None:
    problems = []
    for i, unit in enumerate(data.units):
        missing = [data.columns[j] for j in np.flatnonzero(np.isnan(data.values[i]))]
        if missing:
            problems.append(
                f"{path.name} unit {unit!r} (row {i + 2}): missing rating from "
                f"{', '.join(repr(m) for m in missing)}"
            )
    if problems:
        fail(
            problems[:20]
            + [
                f"{statistic} needs every rater to rate every unit: complete or remove those "
                "rows, or use --stat alpha or --stat agreement, which take missing cells"
            ]
        )


def _check_not_constant(data: Ratings, path: Path) -> None:
    problems = []
    for j, name in enumerate(data.columns):
        seen = data.values[:, j][~np.isnan(data.values[:, j])]
        if seen.size > 1 and np.all(seen == seen[0]):
            problems.append(
                f"{path.name} column {name!r}: every rating is {seen[0]:g}; a rater who gives "
                "one rating to every unit carries no information about the units"
            )
    if problems:
        fail(problems + ["check the file (a filled-down column?), or pass --allow-constant"])


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def _ci(result: Any) -> str:
    low, high = getattr(result, "ci_low", None), getattr(result, "ci_high", None)
    if low is None or high is None:
        return ""
    level = round(100 * getattr(result, "confidence", 0.95))
    return f"  ({level}% CI {_fmt(low)} to {_fmt(high)})"


def _print(stat: Stat, result: Any, data: Ratings, path: Path) -> None:
    raters = ", ".join(data.columns)
    if stat is Stat.icc:
        say(f"{result.form} ({result.description})")
        say(f"  ICC = {_fmt(result.value)}{_ci(result)}")
        say(
            f"  F({result.df1:g}, {result.df2:g}) = {_fmt(result.f_value, 2)}, "
            f"p = {result.p_value:.3g}"
        )
        say(f"  {result.n_targets} units x {result.n_raters} raters ({raters})")
    elif stat is Stat.kappa:
        kind = "Cohen's kappa" if result.weights is None else f"{result.weights} weighted kappa"
        say(f"{kind} ({raters})")
        say(f"  kappa = {_fmt(result.value)}{_ci(result)}, SE {_fmt(result.se)}")
        say(
            f"  test of kappa = 0: z = {_fmt(result.z, 2)}, p = {result.p_value:.3g} "
            f"(SE under H0 {_fmt(result.se0)})"
        )
        say(
            f"  {result.n} units; exact agreement {100 * result.observed_agreement:.1f}%; "
            f"categories {', '.join(f'{c:g}' for c in result.categories)}"
        )
    elif stat is Stat.fleiss:
        say("Fleiss' kappa")
        say(f"  kappa = {_fmt(result.value)}")
        say(
            f"  test of kappa = 0: z = {_fmt(result.z, 2)}, p = {result.p_value:.3g} "
            f"(SE under H0 {_fmt(result.se0)})"
        )
        for name, value in zip(result.categories, result.category_kappas, strict=True):
            say(f"  category {name}: kappa {_fmt(value)}")
        say(f"  {result.n_subjects} subjects, {result.n_raters} ratings each")
    elif stat is Stat.alpha:
        say(f"Krippendorff's alpha ({result.level})")
        say(f"  alpha = {_fmt(result.value)}")
        say(
            f"  {result.n_units} pairable units, {result.n_values} values, "
            f"{result.n_raters} raters ({raters})"
        )
    else:
        say(f"Percent agreement ({raters})")
        say(f"  exact: {100 * result.value:.1f}%")
        say(f"  within one level: {100 * result.within_one:.1f}%")
        say(f"  {result.n_pairs} rater pairs over {result.n_units} units")


@app.command()
def reliability(
    file: Annotated[Path, typer.Argument(help="CSV: one row per unit, one column per rater.")],
    stat: Annotated[Stat, typer.Option("--stat", help="Which statistic.")] = Stat.icc,
    form: Annotated[
        str, typer.Option("--form", help="ICC form: ICC1..ICC3k, or ICC(A,1), ICC(C,1)...")
    ] = "ICC2",
    weights: Annotated[
        WeightChoice, typer.Option("--weights", help="Kappa weights.")
    ] = WeightChoice.none,
    level: Annotated[
        LevelChoice, typer.Option("--level", help="Alpha's level of measurement.")
    ] = LevelChoice.nominal,
    raters: Annotated[
        str | None, typer.Option("--raters", help="Use only these columns, e.g. A,B.")
    ] = None,
    layout: Annotated[
        Layout, typer.Option("--layout", help="counts: a Fleiss subjects x categories table.")
    ] = Layout.wide,
    no_id: Annotated[
        bool, typer.Option("--no-id", help="The first column is a rater, not a unit label.")
    ] = False,
    allow_constant: Annotated[
        bool, typer.Option("--allow-constant", help="Accept a rater with one rating for all.")
    ] = False,
    confidence: Annotated[float, typer.Option("--confidence", help="CI level.")] = 0.95,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rater agreement: ICC, Cohen's (weighted) kappa, Fleiss' kappa, Krippendorff's alpha."""
    from neuroseq.reliability import ReliabilityError, resolve_form

    if layout is Layout.counts and stat is not Stat.fleiss:
        fail(["--layout counts: only --stat fleiss reads a count table"])
    if stat is Stat.icc:
        try:
            resolve_form(form)
        except ReliabilityError as exc:
            fail([f"--{e}" for e in exc.errors])
    if not 0 < confidence < 1:
        fail([f"--confidence: expected between 0 and 1, got {confidence}"])
    data = _select(read_ratings(file, has_id=not no_id), raters, file)
    if layout is Layout.wide:
        _check_raters(data, file)
        if stat is Stat.kappa and len(data.columns) != 2:
            fail(
                [
                    f"{file.name}: Cohen's kappa compares two raters, the file has "
                    f"{len(data.columns)} ({', '.join(data.columns)}); choose two with --raters "
                    "A,B, or use --stat fleiss or --stat alpha for more"
                ]
            )
        if stat in (Stat.icc, Stat.kappa, Stat.fleiss):
            _check_complete(
                data,
                file,
                {"icc": "the ICC", "kappa": "Cohen's kappa", "fleiss": "Fleiss' kappa"}[stat.value],
            )
        if not allow_constant:
            _check_not_constant(data, file)
    try:
        result = _compute(stat, data, form, weights, level, layout, confidence, file)
    except ReliabilityError as exc:
        fail(exc.errors)
    if as_json:
        payload = {"file": str(file), "raters": data.columns, "n_units": len(data.units)}
        payload.update(result.to_dict())
        console.print_json(json.dumps(finite(payload), allow_nan=False))
    else:
        _print(stat, result, data, file)


def _compute(
    stat: Stat,
    data: Ratings,
    form: str,
    weights: WeightChoice,
    level: LevelChoice,
    layout: Layout,
    confidence: float,
    path: Path,
) -> Any:
    from neuroseq.reliability import (
        cohen_kappa,
        counts_from_ratings,
        fleiss_kappa,
        icc,
        krippendorff_alpha,
        percent_agreement,
    )

    values = data.values
    if stat is Stat.icc:
        return icc(values, form, confidence=confidence, rater_names=data.columns)
    if stat is Stat.kappa:
        if values.shape[1] != 2:
            fail(
                [
                    f"{path.name}: Cohen's kappa compares two raters, the file has "
                    f"{values.shape[1]} ({', '.join(data.columns)}); choose two with --raters "
                    "A,B, or use --stat fleiss or --stat alpha for more"
                ]
            )
        return cohen_kappa(
            values[:, 0],
            values[:, 1],
            None if weights is WeightChoice.none else weights.value,
            confidence=confidence,
            names=(data.columns[0], data.columns[1]),
        )
    if stat is Stat.fleiss:
        if layout is Layout.counts:
            return fleiss_kappa(values, data.columns)
        table, categories = counts_from_ratings(values)
        return fleiss_kappa(table, [f"{c:g}" for c in categories])
    if stat is Stat.alpha:
        return krippendorff_alpha(values.T, level.value, rater_names=data.columns)
    return percent_agreement(values)
