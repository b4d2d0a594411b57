"""Assessments as flat CSV rows, one per assessment (for spreadsheets and R/pandas).

Columns: ``pseudonym, birth_date, assessment_date, chronological_age_months, synthetic,
rater, adversities``, then ``rh.<period>.<item>``, ``crh.<item>``, ``fn.<function>`` and,
for instruments with clinical flags (v2 on), ``flag.<flag>`` (``true``/``false``). An empty
cell is "not rated" (for a flag: not assessed). ``adversities`` holds
``type@period:severity:chronicity`` entries separated by ``;``, or, when any adversity
carries a note, the JSON array of the adversity objects (so free text survives the round
trip).
"""

from __future__ import annotations

import json
from typing import Any

from neuroseq.instrument import Instrument


def columns(inst: Instrument) -> list[str]:
    return [
        "pseudonym",
        "birth_date",
        "assessment_date",
        "chronological_age_months",
        "synthetic",
        "rater",
        "adversities",
        *(f"rh.{p}.{h.id}" for p in inst.period_ids for h in inst.history_items),
        *(f"crh.{c.id}" for c in inst.current_items),
        *(f"fn.{f}" for f in inst.function_ids),
        *(f"flag.{f}" for f in inst.flag_ids),
    ]


def _flag_cell(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def record_to_row(record: dict[str, Any], inst: Instrument) -> list[str]:
    client = record.get("client", {})
    history = record.get("relational_history", {})
    current = record.get("current_relational_health", {})
    functional = record.get("functional", {})
    flags = record.get("clinical_flags", {})
    listed = record.get("adversities", [])
    if any(a.get("note") for a in listed):
        adversities = json.dumps(listed, separators=(",", ":"), ensure_ascii=False)
    else:
        adversities = ";".join(
            f"{a['type']}@{a['period']}:{a['severity']}:{a.get('chronicity', 'single')}"
            for a in listed
        )
    return [
        _cell(client.get("pseudonym")),
        _cell(client.get("birth_date")),
        _cell(record.get("assessment_date")),
        _cell(record.get("chronological_age_months")),
        "true" if record.get("synthetic") else "false",
        _cell(record.get("rater")),
        adversities,
        *(_cell(history.get(p, {}).get(h.id)) for p in inst.period_ids for h in inst.history_items),
        *(_cell(current.get(c.id)) for c in inst.current_items),
        *(_cell(functional.get(f)) for f in inst.function_ids),
        *(_flag_cell(flags.get(f)) for f in inst.flag_ids),
    ]


class RowError(ValueError):
    pass


def _number(text: str, column: str) -> int | float | None:
    text = text.strip()
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise RowError(f"{column}: expected a number or an empty cell, got {text!r}") from None


def row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """Turn a CSV row (from csv.DictReader) into an assessment dict for ``parse_assessment``."""
    record: dict[str, Any] = {
        "client": {},
        "relational_history": {},
        "current_relational_health": {},
        "functional": {},
        "adversities": [],
    }
    for key, raw in row.items():
        if key is None:
            raise RowError("row has more cells than the header")
        value = (raw or "").strip()
        if key in {"pseudonym", "birth_date"}:
            if value:
                record["client"][key] = value
        elif key in {"assessment_date", "rater"}:
            if value:
                record[key] = value
        elif key == "chronological_age_months":
            if value:
                record[key] = _number(value, key)
        elif key == "synthetic":
            if value.lower() not in {"", "true", "false"}:
                raise RowError(f"synthetic: expected true or false, got {value!r}")
            record["synthetic"] = value.lower() == "true"
        elif key == "adversities" and value.startswith("["):
            try:
                record["adversities"] = json.loads(value)
            except json.JSONDecodeError as exc:
                raise RowError(f"adversities: not a valid JSON array: {exc.msg}") from None
        elif key == "adversities":
            for i, entry in enumerate(e for e in value.split(";") if e.strip()):
                try:
                    kind, rest = entry.split("@", 1)
                    period, severity, chronicity = rest.split(":")
                except ValueError:
                    raise RowError(
                        f"adversities[{i}]: expected type@period:severity:chronicity, got {entry!r}"
                    ) from None
                record["adversities"].append(
                    {
                        "type": kind.strip(),
                        "period": period.strip(),
                        "severity": _number(severity, f"adversities[{i}].severity"),
                        "chronicity": chronicity.strip(),
                    }
                )
        elif key.startswith("rh."):
            _, period, item = (key.split(".", 2) + ["", ""])[:3]
            if value:
                record["relational_history"].setdefault(period, {})[item] = _number(value, key)
        elif key.startswith("crh."):
            record["current_relational_health"][key[4:]] = _number(value, key)
        elif key.startswith("fn."):
            record["functional"][key[3:]] = _number(value, key)
        elif key.startswith("flag."):
            if value.lower() not in {"", "true", "false"}:
                raise RowError(f"{key}: expected true, false or an empty cell, got {value!r}")
            if value:
                record.setdefault("clinical_flags", {})[key[5:]] = value.lower() == "true"
        else:
            raise RowError(f"{key}: unknown column")
    return record
