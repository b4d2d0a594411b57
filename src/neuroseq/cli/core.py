"""Core commands: example, validate, score, schema, instrument, synth."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from neuroseq.assessment import AssessmentError, json_schema, load_assessment_file
from neuroseq.cli.app import app, console, error_console, fail, instrument_app
from neuroseq.cohort.example import WORKED_EXAMPLE
from neuroseq.instrument import DEFAULT_VERSION, InstrumentError, load_instrument
from neuroseq.instrument.docs import docs_file_name, render_instrument_markdown
from neuroseq.scoring import AssessmentScores, score_assessment

InstrumentVersion = Annotated[str, typer.Option("--instrument", help="Instrument version.")]


def _load_or_fail(path: Path) -> Any:
    try:
        return load_assessment_file(path)
    except AssessmentError as exc:
        fail(exc.errors)


def _instrument_or_fail(version: str) -> Any:
    try:
        return load_instrument(version)
    except InstrumentError as exc:
        fail(str(exc).splitlines())


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail([f"--output: cannot write {output}: {exc.strerror}"])
        error_console.print(f"wrote {output}")


@app.command()
def example(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
) -> None:
    """Write the worked example assessment (JSON): a 10-year-old, synthetic."""
    _write(json.dumps(WORKED_EXAMPLE, indent=2) + "\n", output)


@app.command()
def validate(file: Path) -> None:
    """Check an assessment file; exit 2 with one line per problem."""
    a = _load_or_fail(file)
    rated = sum(v is not None for v in a.functional.values())
    console.print(f"{file}: valid ({rated} functions rated, instrument v{a.instrument_version})")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the assessment format."""
    inst = load_instrument()
    sys.stdout.write(json.dumps(json_schema(inst), indent=2) + "\n")


def _fmt(value: float | None, digits: int = 1) -> str:
    return "not rated" if value is None else f"{value:.{digits}f}"


def _years(months: float) -> str:
    return f"{months / 12:.1f} y"


def print_scores(scores: AssessmentScores, label: str) -> None:
    inst = load_instrument(scores.instrument_version)
    if scores.synthetic:
        console.print("[bold]SYNTHETIC record[/bold] - not a real child.")
    console.print(
        f"[bold]{label}[/bold]  age {_years(scores.chronological_age_months)}  "
        f"instrument v{scores.instrument_version} (provisional, not validated)"
    )
    summary = Table(title="Scores", show_header=True)
    summary.add_column("score")
    summary.add_column("value", justify="right")
    summary.add_row(
        "Developmental Challenges Score (0-100, higher = more insult)",
        _fmt(scores.developmental_challenges_score),
    )
    summary.add_row(
        "Relational Health History (0-100, higher = healthier)",
        _fmt(scores.relational_health_history_score),
    )
    summary.add_row("Current relational health (0-100)", _fmt(scores.current_relational_health))
    summary.add_row("Relational gate", scores.relational_gate.replace("_", " "))
    summary.add_row("Functional Score (0-100, higher = better)", _fmt(scores.functional_score))
    summary.add_row("Typical child of this age, same items", _fmt(scores.typical_functional_score))
    summary.add_row("Age-typical percent", _fmt(scores.age_typical_percent))
    console.print(summary)

    regions = Table(title="Regions (bottom-up)")
    for col in ("region", "adversity impact", "score", "typical"):
        regions.add_column(col, justify="left" if col == "region" else "right")
    for r in reversed(inst.region_ids):
        regions.add_row(
            inst.region(r).name,
            _fmt(scores.region_impact[r]),
            _fmt(scores.region_scores[r]),
            _fmt(scores.typical_region_scores[r]),
        )
    console.print(regions)

    domains = Table(title="Domains")
    for col in ("domain", "score", "typical", "age equivalent"):
        domains.add_column(col, justify="left" if col == "domain" else "right")
    for d in inst.domain_ids:
        ae = scores.age_equivalents[d]
        text = "not rated"
        if ae is not None:
            text = _years(ae.months)
            if ae.flag == "ceiling":
                text = f"at least {text} (top of norms)"
            elif ae.flag == "below_norms":
                text = "below the norms"
        domains.add_row(
            inst.domain(d).name,
            _fmt(scores.domain_scores[d]),
            _fmt(scores.typical_domain_scores[d]),
            text,
        )
    console.print(domains)
    if scores.missing_items:
        console.print(f"Not rated (excluded, not zero): {', '.join(scores.missing_items)}")


@app.command()
def score(
    file: Annotated[
        Path, typer.Argument(help="An assessment file, or with --batch a JSONL/CSV file.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", help="Show the terms behind one score, e.g. functional_score."),
    ] = None,
    batch: Annotated[
        bool, typer.Option("--batch", help="Score many assessments (JSONL or CSV).")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV output for --batch.")
    ] = None,
) -> None:
    """Score one assessment (tables or --json), or many with --batch -o scores.csv."""
    if batch:
        from neuroseq.cli.batch import score_batch_file

        if output is None:
            fail(["--output: required with --batch (a .csv file)"])
        score_batch_file(file, output)
        return
    a = _load_or_fail(file)
    scores = score_assessment(a)
    if explain is not None:
        try:
            e = scores.explain(explain)
        except KeyError as exc:
            fail([f"--explain: {exc.args[0]}"])
        if as_json:
            sys.stdout.write(json.dumps(e.as_dict(), indent=2) + "\n")
            return
        table = Table(title=f"{e.score} = {_fmt(e.value, 2)}", caption=e.formula)
        for col in ("input", "value", "weight", "contribution"):
            table.add_column(col, justify="left" if col == "input" else "right")
        for t in e.terms:
            table.add_row(t.label, _fmt(t.value, 2), f"{t.weight:g}", f"{t.contribution:.4g}")
        console.print(table)
        for note in e.notes:
            console.print(note)
        return
    if as_json:
        sys.stdout.write(json.dumps(scores.to_dict(), indent=2) + "\n")
    else:
        print_scores(scores, a.client.pseudonym or str(file))


@instrument_app.command("show")
def instrument_show(
    function_id: Annotated[
        str | None, typer.Argument(help="A function id, or nothing for all.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    version: InstrumentVersion = DEFAULT_VERSION,
) -> None:
    """List the instrument's functions, or show one with anchors and norms."""
    inst = _instrument_or_fail(version)
    if function_id is None:
        if as_json:
            data = {
                "header": inst.header.model_dump(),
                "functions": [f.model_dump(by_alias=True) for f in inst.functions],
            }
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
            return
        console.print(f"[bold]{inst.header.name}[/bold] v{inst.version}: {inst.header.status}")
        table = Table()
        table.add_column("id", no_wrap=True)
        for col in ("region", "domain", "name"):
            table.add_column(col)
        for f in inst.functions:
            table.add_row(f.id, f.region, f.domain, f.name)
        console.print(table)
        return
    try:
        f = inst.function(function_id)
    except KeyError:
        fail([f"function_id: unknown function {function_id!r}; see `neuroseq instrument show`"])
    if as_json:
        sys.stdout.write(json.dumps(f.model_dump(by_alias=True), indent=2) + "\n")
        return
    console.print(f"[bold]{f.name}[/bold] ({f.id}): {f.region}, {f.domain}, weight {f.weight:g}")
    console.print(f.description)
    console.print(f"For families: {f.plain_name} - {f.plain_description}")
    for status in range(4):
        console.print(
            f"  {status} {inst.status_level(status).label}: {f.anchors.for_status(status)}"
        )
    console.print(
        "Typical status by age: " + ", ".join(f"{p.age_months:g} m: {p.status:g}" for p in f.norms)
    )
    console.print(f"Source: {f.norm_source}")


@instrument_app.command("docs")
def instrument_docs(
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
    version: InstrumentVersion = DEFAULT_VERSION,
) -> None:
    """Write docs/instrument.md (or instrument-v<N>.md) from the instrument's data files."""
    name = docs_file_name(version, DEFAULT_VERSION)
    _write(render_instrument_markdown(_instrument_or_fail(version), name), output)


@app.command()
def synth(
    n: Annotated[int, typer.Option("--n", min=1, help="Number of assessments.")],
    output: Annotated[Path, typer.Option("-o", "--output", help=".jsonl or .csv")],
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
) -> None:
    """Write N labelled-synthetic assessments, deterministic by seed, streamed."""
    from neuroseq.cli.batch import write_synthetic

    if output.suffix.lower() not in {".jsonl", ".csv"}:
        fail([f"--output: expected a .jsonl or .csv file name, got {output.name!r}"])
    write_synthetic(n, seed, output)
