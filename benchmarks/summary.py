"""Print one table of every figure the benchmark scripts recorded in this run.

Usage: ``python benchmarks/summary.py RESULTS.jsonl`` (``make bench`` does it last). Exit
status 0 whether goals are met or not: a benchmark reports, it does not gate. A malformed
line is reported and makes the exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from figures import Goal


def load(path: Path) -> tuple[list[dict[str, object]], list[str]]:
    rows, problems = [], []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
            Goal.parse(str(row["goal"]))
            float(row["value"])
            str(row["figure"]), str(row["unit"])
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path}:{number}: {exc}")
            continue
        rows.append(row)
    return rows, problems


def format_value(value: float, unit: str) -> str:
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def table(rows: list[dict[str, object]]) -> str:
    header = ("figure", "value", "goal", "result", "distance / note")
    lines = []
    for row in rows:
        value, goal = float(row["value"]), Goal.parse(str(row["goal"]))  # type: ignore[arg-type]
        met = goal.met(value)
        extra = goal.distance(value)
        note = str(row.get("note") or "")
        lines.append(
            (
                str(row["figure"]),
                format_value(value, str(row["unit"])),
                str(row["goal"]).replace(" ", ""),
                "met" if met else "MISSED",
                "; ".join(part for part in (extra, note) if part),
            )
        )
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(4)]
    out = [
        " | ".join(h.ljust(w) for h, w in zip(header, [*widths, 0], strict=True)).rstrip(),
        "-+-".join("-" * w for w in [*widths, len(header[4])]),
    ]
    for line in lines:
        out.append(" | ".join(c.ljust(w) for c, w in zip(line, [*widths, 0], strict=True)).rstrip())
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python benchmarks/summary.py RESULTS.jsonl", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        print(f"{path}: no results file (did any benchmark run?)", file=sys.stderr)
        return 2
    rows, problems = load(path)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    missed = sum(not Goal.parse(str(r["goal"])).met(float(r["value"])) for r in rows)  # type: ignore[arg-type]
    print(
        f"\n== Benchmark summary: {len(rows)} figures, {len(rows) - missed} met, {missed} missed\n"
    )
    print(table(rows) if rows else "(no figures recorded)")
    return 2 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
