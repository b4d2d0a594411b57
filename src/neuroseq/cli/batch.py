"""Streaming file work for the CLI: synthetic cohorts out, batch scores out.

Both stream in chunks with a progress bar, and write to a temporary file that is
renamed into place only on success, so bad input leaves no partial output behind.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from neuroseq.assessment import Assessment, AssessmentError, parse_assessment
from neuroseq.cli.app import error_console, fail
from neuroseq.cohort.synth import iter_chunks
from neuroseq.instrument import DEFAULT_VERSION, Instrument, load_instrument
from neuroseq.interop.assessment_csv import RowError, columns, record_to_row, row_to_record
from neuroseq.scoring.batch import BatchInput, score_batch

CHUNK = 10_000
MAX_ERRORS_SHOWN = 20


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=error_console,
        transient=True,
    )


@contextmanager
def _atomic(path: Path) -> Iterator[IO[str]]:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail([f"--output: cannot write {path}: {exc.strerror}"])
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_synthetic(n: int, seed: int, output: Path) -> None:
    inst = load_instrument()
    as_csv = output.suffix.lower() == ".csv"
    with _atomic(output) as fh, _progress() as progress:
        task = progress.add_task("synthesising", total=n)
        writer = csv.writer(fh) if as_csv else None
        if writer is not None:
            writer.writerow(columns(inst))
        for chunk in iter_chunks(n, seed, inst, chunk_size=CHUNK):
            for record in chunk.records(inst):
                if writer is not None:
                    writer.writerow(record_to_row(record, inst))
                else:
                    fh.write(json.dumps(record, separators=(",", ":")) + "\n")
            progress.advance(task, chunk.n)
    error_console.print(f"wrote {n} synthetic assessments (seed {seed}) to {output}")


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """(location, decoded record) for each line of a JSONL file or row of a CSV file."""
    with path.open(encoding="utf-8", newline="") as fh:
        if path.suffix.lower() == ".csv":
            for number, row in enumerate(csv.DictReader(fh), start=2):
                try:
                    yield f"row {number}", row_to_record(row)
                except RowError as exc:
                    yield f"row {number}", exc
            return
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield f"line {number}", json.loads(line)
            except json.JSONDecodeError as exc:
                yield f"line {number}", RowError(f"not valid JSON: column {exc.colno}: {exc.msg}")


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _write_rows(writer: Any, labels: list[str], batch: list[Assessment], inst: Instrument) -> None:
    cols = score_batch(BatchInput.from_assessments(batch, inst), inst).columns(inst)
    values = [np.asarray(v, dtype=object) for v in cols.values()]
    for i, label in enumerate(labels):
        writer.writerow(
            [label, batch[i].synthetic]
            + ["" if (isinstance(v[i], float) and v[i] != v[i]) else v[i] for v in values]
        )


def score_batch_file(path: Path, output: Path, version: str = DEFAULT_VERSION) -> None:
    if not path.is_file():
        fail([f"{path}: file not found"])
    if path.suffix.lower() not in {".jsonl", ".csv"}:
        fail([f"{path}: expected a .jsonl or .csv file"])
    try:
        _score_file(path, output, version)
    except UnicodeDecodeError:
        fail([f"{path}: not UTF-8 text", "nothing was written"])


def _score_file(path: Path, output: Path, version: str) -> None:
    """Every record is scored with instrument ``version`` (JSONL records must name it or
    leave it out; CSV rows, which have no version column, are read as that version)."""
    inst = load_instrument(version)
    total = max(_count_lines(path) - (1 if path.suffix.lower() == ".csv" else 0), 0)
    errors: list[str] = []
    scored = 0
    with _atomic(output) as fh, _progress() as progress:
        task = progress.add_task("scoring", total=total)
        writer = csv.writer(fh)
        header = None
        labels: list[str] = []
        batch: list[Assessment] = []
        for location, record in _records(path):
            try:
                if isinstance(record, RowError):
                    raise AssessmentError([str(record)])
                if isinstance(record, dict):
                    record.setdefault("instrument_version", inst.version)
                a = parse_assessment(record, inst)
            except AssessmentError as exc:
                errors.extend(f"{path.name} {location}: {e}" for e in exc.errors)
                continue
            labels.append(a.client.pseudonym or location)
            batch.append(a)
            if len(batch) == CHUNK and not errors:
                if header is None:
                    header = _header(writer, inst)
                _write_rows(writer, labels, batch, inst)
                progress.advance(task, len(batch))
                scored += len(batch)
                labels, batch = [], []
        if errors:
            shown = errors[:MAX_ERRORS_SHOWN]
            if len(errors) > len(shown):
                shown.append(f"... and {len(errors) - len(shown)} more problems")
            fail(shown + ["nothing was written"])
        if header is None:
            _header(writer, inst)
        if batch:
            _write_rows(writer, labels, batch, inst)
            scored += len(batch)
    error_console.print(f"scored {scored} assessments into {output}")


def _header(writer: Any, inst: Instrument) -> bool:
    empty = BatchInput.from_assessments([], inst)
    names = list(score_batch(empty, inst).columns(inst))
    writer.writerow(["pseudonym", "synthetic", *names])
    return True
