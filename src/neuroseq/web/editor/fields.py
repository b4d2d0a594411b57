"""Turn what a form or the autosave script sent into typed values, one field at a time.

Each function returns the clean value or raises ``FieldError`` with a message that names
the expectation; the caller puts it on the field that caused it. The assessment format
checks the whole document again before anything is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from neuroseq.instrument import Instrument
from neuroseq.web.editor.content import MARK_VALUES, normal_entry

NOT_RATED = ("", "n", "none", "null", "not_rated")
NOTE_MAX = 500
RATER_MAX = 120


class FieldError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _rating(path: str, raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in NOT_RATED):
        return None
    if isinstance(raw, bool):
        raise FieldError(path, "expected a rating 0-3 or not rated")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise FieldError(path, f"expected a rating 0-3 or not rated, got {raw!r}") from None
    if not 0 <= value <= 3 or str(raw).strip() not in {"0", "1", "2", "3"}:
        raise FieldError(path, f"expected a rating 0-3 or not rated, got {raw!r}")
    return value


def _flag(path: str, raw: Any) -> bool | None:
    if raw is None or raw == "" or raw == "unknown":
        return None
    if raw is True or raw == "yes":
        return True
    if raw is False or raw == "no":
        return False
    raise FieldError(path, "expected yes, no or not assessed")


def parse_date(path: str, raw: Any, *, today: dt.date | None = None) -> str:
    text = str(raw or "").strip()
    if not text:
        raise FieldError(path, "enter the date of the assessment")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(path, f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if day > (today or dt.date.today()):
        raise FieldError(path, "expected today or a date in the past")
    return day.isoformat()


def value_for(inst: Instrument, path: str, raw: Any, *, today: dt.date | None = None) -> Any:
    """The clean value for ``path``; unknown paths and bad values raise ``FieldError``."""
    head, _, rest = path.partition(".")
    if head == "assessment_date" and not rest:
        return parse_date(path, raw, today=today)
    if head == "rater" and not rest:
        text = str(raw or "").strip()
        if len(text) > RATER_MAX:
            raise FieldError(path, f"expected at most {RATER_MAX} characters")
        return text or None
    if head == "functional" and rest in inst.function_ids:
        return _rating(path, raw)
    if head == "current_relational_health" and rest in {i.id for i in inst.current_items}:
        return _rating(path, raw)
    if head == "relational_history" and rest.count(".") == 1:
        period, item = rest.split(".")
        if period in inst.period_ids and item in {i.id for i in inst.history_items}:
            return _rating(path, raw)
    if head == "clinical_flags" and rest in {f.id for f in flags_of(inst)}:
        return _flag(path, raw)
    if head == "marks" and rest in MARK_VALUES:
        if raw in (None, ""):
            return None
        if raw not in MARK_VALUES[rest]:
            raise FieldError(path, f"expected one of {', '.join(MARK_VALUES[rest])}")
        return raw
    raise FieldError(path, "unknown field")


def flags_of(inst: Instrument) -> tuple[Any, ...]:
    """Clinical flags (instrument v2 on); v1 has none."""
    return tuple(getattr(inst, "flags", ()) or ())


def adversity(inst: Instrument, raw: dict[str, Any], age_months: float) -> dict[str, Any]:
    """A new or edited adversity entry; every problem is raised on its own form field."""
    type_id = str(raw.get("type") or "").strip()
    period_id = str(raw.get("period") or "").strip()
    types = {t.id for t in inst.adversity_types}
    if type_id not in types:
        raise FieldError("type", "choose the kind of adversity from the list")
    if period_id not in inst.period_ids:
        raise FieldError("period", "choose when it happened")
    allowed = inst.allowed_periods(type_id)
    if period_id not in allowed:
        names = ", ".join(inst.period(p).label for p in allowed)
        raise FieldError(
            "period",
            f"{inst.adversity_type(type_id).name} can only be recorded in: {names}",
        )
    if inst.period(period_id).start_months > age_months:
        raise FieldError("period", "the child had not reached this period on the assessment date")
    severity = str(raw.get("severity") or "").strip()
    if severity not in {"1", "2", "3"}:
        raise FieldError("severity", "choose mild (1), moderate (2) or severe (3)")
    chronicity = str(raw.get("chronicity") or "single").strip()
    if chronicity not in {c.id for c in inst.chronicity}:
        raise FieldError("chronicity", "choose how long it lasted")
    note = str(raw.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise FieldError("note", f"expected at most {NOTE_MAX} characters, got {len(note)}")
    if "\x00" in note:
        raise FieldError("note", "text must not contain NUL characters")
    return normal_entry(
        {
            "type": type_id,
            "period": period_id,
            "severity": int(severity),
            "chronicity": chronicity,
            "note": note or None,
        }
    )
