"""Brain map and progress commands: ``neuroseq map`` and ``neuroseq progress``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from neuroseq.assessment import Assessment, AssessmentError, load_assessment_file
from neuroseq.brainmap import (
    render_age_equivalent_chart,
    render_change_map,
    render_map,
    render_trend_chart,
    render_typical_comparison,
)
from neuroseq.cli.app import app, console, error_console, fail
from neuroseq.instrument import Instrument, InstrumentError, load_instrument
from neuroseq.progress import (
    Comparison,
    ProgressError,
    ScoreChange,
    Trend,
    check_same_child,
    snapshot_of,
    trend,
)
from neuroseq.scoring import score_assessment

Output = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the SVG here (default: standard output)."),
]


def _load(path: Path) -> Assessment:
    try:
        return load_assessment_file(path)
    except AssessmentError as exc:
        fail(f"{path}: {line}" for line in exc.errors)


def _instrument(version: str) -> Instrument:
    try:
        return load_instrument(version)
    except InstrumentError as exc:
        fail(str(exc).splitlines())


def _same_version(assessments: list[tuple[Path, Assessment]]) -> None:
    """Checked before scoring: each file is scored with the instrument it names."""
    first_path, first = assessments[0]
    errors = [
        f"{path}: instrument_version: expected {first.instrument_version!r} like {first_path}, "
        f"got {a.instrument_version!r}; scores of different instrument versions are not "
        "comparable"
        for path, a in assessments[1:]
        if a.instrument_version != first.instrument_version
    ]
    if errors:
        fail(errors)


def _write_svg(svg: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(svg)
        return
    if output.suffix.lower() != ".svg":
        fail(
            [
                f"--output: expected a file name ending in .svg, got {output.name!r} "
                "(PNG output is not available: open the SVG in a browser to print or convert it)"
            ]
        )
    try:
        output.write_text(svg, encoding="utf-8")
    except OSError as exc:
        fail([f"--output: cannot write {output}: {exc.strerror}"])
    error_console.print(f"wrote {output}")


@app.command("map")
def map_command(
    file: Annotated[Path, typer.Argument(help="Assessment file (JSON or YAML).")],
    output: Output = None,
    typical: Annotated[
        bool, typer.Option("--typical", help="Draw beside a typical child of the same age.")
    ] = False,
    compare: Annotated[
        Path | None,
        typer.Option("--compare", help="Earlier assessment: mark what changed since then."),
    ] = None,
    ages: Annotated[
        bool, typer.Option("--ages", help="Draw the age-equivalent chart instead of the map.")
    ] = False,
    title: Annotated[str | None, typer.Option("--title", help="Heading of the SVG.")] = None,
) -> None:
    """Draw the Functional Brain Map of an assessment as SVG."""
    chosen = [
        name
        for name, on in (("--typical", typical), ("--compare", compare), ("--ages", ages))
        if on
    ]
    if len(chosen) > 1:
        fail([f"{' and '.join(chosen)}: choose one of --typical, --compare or --ages"])
    a = _load(file)
    inst = _instrument(a.instrument_version)
    if compare is not None:
        older = _load(compare)
        _same_version([(compare, older), (file, a)])
        earlier, later = (a, older) if older.assessment_date > a.assessment_date else (older, a)
        try:
            check_same_child(
                [snapshot_of(earlier, inst, str(compare)), snapshot_of(later, inst, str(file))],
                inst,
            )
        except ProgressError as exc:
            fail(exc.errors)
        if later is older:
            error_console.print(
                f"note: {compare} is the later assessment; showing change since {file}"
            )
        svg = render_change_map(
            inst,
            earlier.functional,
            later.functional,
            pseudonym=later.client.pseudonym,
            age_months=later.age_months,
            before_date=earlier.assessment_date,
            assessment_date=later.assessment_date,
            title=title,
            synthetic=earlier.synthetic or later.synthetic,
        )
    elif typical:
        svg = render_typical_comparison(
            inst,
            a.functional,
            pseudonym=a.client.pseudonym,
            age_months=a.age_months,
            assessment_date=a.assessment_date,
            title=title,
            synthetic=a.synthetic,
        )
    elif ages:
        svg = render_age_equivalent_chart(
            inst,
            score_assessment(a, inst).age_equivalents,
            pseudonym=a.client.pseudonym,
            age_months=a.age_months,
            assessment_date=a.assessment_date,
            title=title,
            synthetic=a.synthetic,
        )
    else:
        svg = render_map(
            inst,
            a.functional,
            pseudonym=a.client.pseudonym,
            age_months=a.age_months,
            assessment_date=a.assessment_date,
            title=title,
            synthetic=a.synthetic,
        )
    _write_svg(svg, output)


def _fmt(value: float | None, digits: int = 1, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


RESULT_STYLE = {
    "improved": "bold blue",
    "deteriorated": "bold red",
    "no reliable change": "",
    "not comparable": "dim",
}


def _score_name(s: ScoreChange, inst: Instrument) -> str:
    if s.scope == "region":
        return f"{inst.region(s.key).plain_name} ({s.name})"
    if s.scope == "domain":
        return f"{inst.domain(s.key).plain_name} ({s.name})"
    return s.name


def _scores_table(comparison: Comparison, inst: Instrument) -> Table:
    before, after = comparison.before, comparison.after
    table = Table(
        title=f"Scores {before.assessment_date} -> {after.assessment_date} (0-100, higher = better)"
    )
    table.add_column("score")
    for column in ("before", "after", "change", "RCI"):
        table.add_column(column, justify="right")
    table.add_column("result")
    scope = "total"
    for s in comparison.scores:
        if s.scope != scope:
            table.add_section()
            scope = s.scope
        result = s.classification + (" *" if s.items_differ else "")
        style = RESULT_STYLE[s.classification]
        table.add_row(
            _score_name(s, inst),
            _fmt(s.before),
            _fmt(s.after),
            _fmt(s.difference, sign=True),
            _fmt(s.rci, 2, sign=True),
            f"[{style}]{result}[/]" if style else result,
        )
    return table


def _adjusted_table(comparison: Comparison, inst: Instrument) -> Table:
    """Age-typical percent with its RCI, and the change against typical maturation."""
    months = comparison.after.age_months - comparison.before.age_months
    table = Table(
        title=f"Against typical development ({months:.1f} months between the assessments)"
    )
    for column in ("score", "% of typical before", "after", "change", "RCI", "result"):
        table.add_column(column, justify="left" if column == "score" else "right")
    table.add_column("child's change", justify="right")
    table.add_column("typical child's change", justify="right")
    maturation = {m.key: m for m in comparison.maturation}
    for s in comparison.adjusted:
        key = "functional_score" if s.key == "age_typical_percent" else s.key
        m = maturation.get(key)
        result = s.classification + (" *" if s.items_differ else "")
        style = RESULT_STYLE[s.classification]
        name = "Whole review" if key == "functional_score" else inst.domain(key).plain_name
        table.add_row(
            name,
            _fmt(s.before),
            _fmt(s.after),
            _fmt(s.difference, sign=True),
            _fmt(s.rci, 2, sign=True),
            f"[{style}]{result}[/]" if style else result,
            _fmt(m.child_change if m else None, sign=True),
            _fmt(m.typical_change if m else None, sign=True),
        )
    return table


def _velocity_table(comparison: Comparison, inst: Instrument) -> Table:
    table = Table(title="Developmental velocity (age-equivalent gain per month elapsed)")
    for column in ("domain", "age equivalent before", "after", "velocity"):
        table.add_column(column)
    for v in comparison.velocity:
        table.add_row(
            inst.domain(v.domain).plain_name,
            v.before.text if v.before else "not rated",
            v.after.text if v.after else "not rated",
            v.text,
        )
    return table


def _functions_table(comparison: Comparison, inst: Instrument) -> Table:
    table = Table(title="Functions that changed or cannot be compared")
    for column in ("function", "before", "after", "change"):
        table.add_column(column)
    words = {
        "improved": "[bold blue]better[/]",
        "worse": "[bold red]worse[/]",
        "not comparable": "[dim]not comparable[/]",
    }
    for c in comparison.functions:
        if c.direction == "unchanged":
            continue
        table.add_row(
            inst.function(c.function_id).plain_name,
            "not rated" if c.before is None else str(c.before),
            "not rated" if c.after is None else str(c.after),
            words[c.direction],
        )
    return table


def _trend_table(t: Trend, inst: Instrument) -> Table:
    table = Table(title="Scores at each assessment")
    table.add_column("score")
    for p in t.points:
        table.add_column(p.assessment_date.isoformat(), justify="right")
    table.add_row("Functional Score", *(_fmt(v) for v in t.series("total", "functional_score")))
    for d in inst.domains:
        table.add_row(d.plain_name, *(_fmt(v) for v in t.series("domain", d.id)))
    return table


def _print_progress(t: Trend, inst: Instrument) -> None:
    overall = t.overall
    if any(p.synthetic for p in t.points):
        console.print("[bold red]SYNTHETIC[/] - not a real child")
    console.print(
        f"[bold]{overall.after.pseudonym}[/]: {len(t.points)} assessments, "
        f"{overall.before.assessment_date} to {overall.after.assessment_date}"
    )
    if len(t.points) > 2:
        console.print(_trend_table(t, inst))
    console.print(_scores_table(overall, inst))
    console.print(_adjusted_table(overall, inst))
    console.print(
        "Change in score points on the items rated both times; the typical child's change "
        "is what maturation alone gives over the same months.",
        style="dim",
    )
    console.print(_velocity_table(overall, inst))
    counts = ", ".join(
        f"{overall.count(d)} {d}" for d in ("improved", "unchanged", "worse", "not comparable")
    )
    console.print(f"Functions: {counts}.")
    if any(c.direction != "unchanged" for c in overall.functions):
        console.print(_functions_table(overall, inst))
    console.print(
        "RCI: Jacobson-Truax reliable change index; |RCI| > 1.96 is a reliable change. "
        "Reliability figures: " + overall.reliability_source,
        style="dim",
    )
    if any(s.items_differ for s in overall.scores):
        console.print("* based on different rated functions at the two times", style="dim")
    for note in overall.notes:
        console.print(f"* {note}", style="dim")


@app.command("progress")
def progress_command(
    files: Annotated[list[Path], typer.Argument(help="Two or more assessments of the same child.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the trend chart (SVG) here.")
    ] = None,
) -> None:
    """What changed between assessments of one child, and whether the change is reliable."""
    if len(files) < 2:
        fail([f"FILES: expected two or more assessment files, got {len(files)}"])
    assessments = [(path, _load(path)) for path in files]
    _same_version(assessments)
    inst = _instrument(assessments[0][1].instrument_version)
    try:
        snapshots = [snapshot_of(a, inst, str(path)) for path, a in assessments]
        t = trend(snapshots, inst)
    except ProgressError as exc:
        fail(exc.errors)
    if output is not None:
        _write_svg(render_trend_chart(inst, t), output)
    if as_json:
        sys.stdout.write(json.dumps(t.to_dict(), indent=2) + "\n")
    else:
        _print_progress(t, inst)
