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
        text = "not rated" if ae is None else ae.text
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
    version: Annotated[
        str, typer.Option("--instrument", help="Instrument version of a --batch file.")
    ] = DEFAULT_VERSION,
) -> None:
    """Score one assessment (tables or --json), or many with --batch -o scores.csv."""
    if batch:
        from neuroseq.cli.batch import score_batch_file

        if output is None:
            fail(["--output: required with --batch (a .csv file)"])
        _instrument_or_fail(version)
        score_batch_file(file, output, version)
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
        if inst.header.status_meaning:
            console.print(" ".join(inst.header.status_meaning.split()), markup=False)
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
        label, anchor = inst.status_level(status).label, f.anchors.for_status(status)
        # v2 anchors begin with their status word; v1 anchors need the label in front
        text = anchor if anchor.startswith(label.split(",")[0]) else f"{label}: {anchor}"
        console.print(f"  {status} {text}", markup=False)
    console.print(
        "Typical status by age: " + ", ".join(f"{p.age_months:g} m: {p.status:g}" for p in f.norms)
    )
    console.print(f"Source: {' '.join(f.norm_source.split())}")
    for flag in inst.flags_for_function(f.id):
        console.print(f"Flag {flag.id} ({flag.kind}): {flag.label}", markup=False)
    if inst.header.status_meaning:
        console.print(" ".join(inst.header.status_meaning.split()), markup=False)


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


@instrument_app.command("reference")
def instrument_reference(
    output: Annotated[Path, typer.Option("-o", "--output", help="reference.yaml to write.")],
    n: Annotated[int, typer.Option("--n", min=100, help="Size of the reference cohort.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 0,
    r_total: Annotated[
        float, typer.Option("--r-total", min=0.01, max=0.99, help="Assumed r, whole scale.")
    ] = 0.85,
    r_subscale: Annotated[
        float, typer.Option("--r-subscale", min=0.01, max=0.99, help="Assumed r, sub-scales.")
    ] = 0.80,
    version: InstrumentVersion = DEFAULT_VERSION,
) -> None:
    """Measure the reliable-change SDs on a synthetic reference cohort (writes provenance)."""
    from neuroseq.progress.reference import measure_reference, render_reference_yaml

    try:
        inst = load_instrument(version, reference_required=False)
    except InstrumentError as exc:
        fail(str(exc).splitlines())
    figures = measure_reference(inst, n=n, seed=seed)
    command = (
        f"neuroseq instrument reference --instrument {version} --n {n} --seed {seed} "
        f"--r-total {r_total:g} --r-subscale {r_subscale:g} -o {output}"
    )
    text = render_reference_yaml(
        inst, figures, command=command, r_total=r_total, r_subscale=r_subscale
    )
    _write(text, output)


DIFF_TITLES = {
    "anchors": "Anchors (what each status means)",
    "norms": "Norms (typical status at landmark ages) and their sources",
    "weights": "Weights",
    "regions_and_domains": "Regions and domains of kept items",
    "item_wording": "Item names and descriptions",
    "status_words": "Status words",
    "transforms": "Transforms (raw load -> 0-100)",
    "age_equivalents": "Age-equivalent rule",
    "reliability": "Reliability figures (reliable change)",
    "flags": "Clinical flags",
    "history_catalogue": "Periods, adversity types and sensitivities",
    "relational": "Relational health items and gate",
}


def _show(value: object) -> str:
    return "-" if value is None else str(value)


@instrument_app.command("diff")
def instrument_diff(
    old: Annotated[str, typer.Argument(help="Older instrument version, e.g. 1.")],
    new: Annotated[str, typer.Argument(help="Newer instrument version, e.g. 2.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List what changed between two instrument versions: items, anchors, norms, weights,
    transforms, flags and more."""
    from neuroseq.instrument.diff import diff_instruments

    result = diff_instruments(_instrument_or_fail(old), _instrument_or_fail(new))
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
        return
    console.print(f"[bold]Instrument v{old} -> v{new}[/bold]")
    if result.empty:
        console.print("No differences.")
        return
    if result.items:
        table = Table(title="Items (functional review)")
        for column in ("change", f"v{old}", f"v{new}", "why"):
            table.add_column(column)
        for c in result.items:
            table.add_row(c.kind, ", ".join(c.previous) or "-", c.current or "-", c.why or "")
        console.print(table)
    for name, title in DIFF_TITLES.items():
        changes = result.section(name)
        if not changes:
            continue
        table = Table(title=f"{title}: {len(changes)} change(s)")
        for column in ("where", f"v{old}", f"v{new}"):
            table.add_column(column, overflow="fold")
        for c in changes:
            table.add_row(c.where, _show(c.before), _show(c.after))
        console.print(table)
