"""The assessment file format: one dated assessment of one child, as JSON or YAML.

Structure is checked by pydantic; references to the instrument (function ids, periods,
adversity types, relational items) are checked against the instrument the file names.
Every problem becomes one line ``path: expected ..., got ...`` and nothing is dropped
silently: an unknown id is an error, a missing rating is "not rated", never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from neuroseq.instrument import (
    DEFAULT_VERSION,
    MAX_AGE_MONTHS,
    Instrument,
    InstrumentError,
    load_instrument,
)
from neuroseq.json_limits import JsonLimitError, load_json_limited

FORMAT = "neuroseq.assessment/1"
DAYS_PER_MONTH = 365.25 / 12
#: Dates before this are typing errors (0001-01-01, 1800-01-01), not records: the documented
#: range of birth and assessment dates starts here (docs/security.md).
EARLIEST_DATE = date(1990, 1, 1)
#: Caps on what one assessment may hold (far above any real one), so a pasted or uploaded
#: file cannot make the app store megabytes or print thousands of lines.
MAX_ADVERSITIES = 100
MAX_ITEMS = 200
MAX_ID_LENGTH = 64
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_JSON_DEPTH = 32


class AssessmentError(ValueError):
    """An assessment failed validation; ``errors`` holds one ``path: message`` line each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _integral(value: Any) -> int | None:
    """An int, or a float with no fraction (JSON Schema's "integer"); never a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _shown(value: Any) -> str:
    """``repr`` of an input, shortened: error lines echo what was given, not megabytes of it."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to print
        return f"a number with about {int(value.bit_length() * 0.30103)} digits"
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"


def _rating(value: Any) -> int | None:
    if value is None:
        return None
    number = _integral(value)
    if number is not None and 0 <= number <= 3:
        return number
    raise PydanticCustomError("rating", "expected 0-3 or null, got {got}", {"got": _shown(value)})


def _severity(value: Any) -> int:
    number = _integral(value)
    if number is not None and 1 <= number <= 3:
        return number
    raise PydanticCustomError("severity", "expected 1, 2 or 3, got {got}", {"got": _shown(value)})


def _at_most(limit: int) -> BeforeValidator:
    """Refuse an oversize list or mapping before validating its entries one by one."""

    def check(value: Any) -> Any:
        if isinstance(value, list | dict) and len(value) > limit:
            raise PydanticCustomError(
                "too_many",
                "expected at most {limit} entries, got {count}",
                {"limit": limit, "count": len(value)},
            )
        return value

    return BeforeValidator(check)


Rating = Annotated[int | None, BeforeValidator(_rating)]
Severity = Annotated[int, BeforeValidator(_severity)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Client(_Model):
    pseudonym: str | None = Field(default=None, max_length=64)
    birth_date: date | None = Field(default=None, ge=EARLIEST_DATE)


class Adversity(_Model):
    type: str = Field(
        max_length=MAX_ID_LENGTH, description="adversity type id from the instrument's catalogue"
    )
    period: str = Field(max_length=MAX_ID_LENGTH, description="developmental period id")
    severity: Severity = Field(description="1 mild, 2 moderate, 3 severe")
    chronicity: str = Field(default="single", max_length=MAX_ID_LENGTH, description="chronicity id")
    note: str | None = Field(default=None, max_length=500)


class Assessment(_Model):
    """One dated assessment. Give the child's age as a birth date or in months (or both)."""

    format: Literal["neuroseq.assessment/1"] = "neuroseq.assessment/1"
    instrument_version: str = Field(
        default=DEFAULT_VERSION,
        max_length=20,
        description="instrument version the ratings use; absent means the current default",
    )
    synthetic: bool = Field(default=False, description="true for generated, non-real records")
    client: Client = Client()
    assessment_date: date = Field(ge=EARLIEST_DATE)
    chronological_age_months: float | None = Field(default=None, ge=0, le=MAX_AGE_MONTHS)
    rater: str | None = Field(default=None, max_length=120)
    adversities: Annotated[list[Adversity], _at_most(MAX_ADVERSITIES)] = []
    relational_history: Annotated[
        dict[str, Annotated[dict[str, Rating], _at_most(MAX_ITEMS)]], _at_most(MAX_ITEMS)
    ] = {}
    current_relational_health: Annotated[dict[str, Rating], _at_most(MAX_ITEMS)] = {}
    functional: Annotated[dict[str, Rating], _at_most(MAX_ITEMS)] = {}
    clinical_flags: Annotated[dict[str, StrictBool | None], _at_most(MAX_ITEMS)] = Field(
        default={},
        description=(
            "clinical flags (instrument v2 on): true = present, false = checked and absent, "
            "null or missing = not assessed"
        ),
    )

    @field_validator("clinical_flags")
    @classmethod
    def _assessed_flags_only(cls, flags: dict[str, bool | None]) -> dict[str, bool | None]:
        """Null and missing both mean "not assessed": keep one spelling (missing)."""
        return {k: v for k, v in flags.items() if v is not None}

    @model_validator(mode="after")
    def _age_is_known(self) -> Assessment:
        birth = self.client.birth_date
        if birth is None and self.chronological_age_months is None:
            raise PydanticCustomError(
                "age", "give client.birth_date or chronological_age_months", {}
            )
        if birth is not None:
            months = (self.assessment_date - birth).days / DAYS_PER_MONTH
            if months < 0:
                raise PydanticCustomError(
                    "age", "client.birth_date: expected a date before assessment_date", {}
                )
            if months > MAX_AGE_MONTHS:
                raise PydanticCustomError(
                    "age", "client.birth_date: the instrument covers ages 0-18 years", {}
                )
            stated = self.chronological_age_months
            if stated is not None and abs(stated - months) > 1:
                raise PydanticCustomError(
                    "age",
                    "chronological_age_months: expected about {m} from birth and "
                    "assessment dates, got {s}",
                    {"m": f"{months:.1f}", "s": stated},
                )
        return self

    @property
    def age_months(self) -> float:
        """Chronological age in months at the assessment date."""
        if self.client.birth_date is not None:
            return (self.assessment_date - self.client.birth_date).days / DAYS_PER_MONTH
        assert self.chronological_age_months is not None  # guaranteed by the validator
        return self.chronological_age_months


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for key in loc:
        if isinstance(key, int):
            text += f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
    return text


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    got = err.get("input")
    if kind in {"rating", "severity", "age", "too_many"}:
        return str(err["msg"])
    if kind == "missing":
        return "required field missing"
    if kind == "greater_than_equal" and str(err.get("ctx", {}).get("ge")) == str(EARLIEST_DATE):
        return f"expected a date on or after {EARLIEST_DATE.isoformat()}, got {_shown(got)}"
    if kind == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"])
    msg = msg[0].lower() + msg[1:]
    if msg.startswith("input should be "):
        msg = "expected " + msg.removeprefix("input should be ")
    return f"{msg}, got {_shown(got)}" if not isinstance(got, dict | list) else msg


def _structure_errors(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        where = _path(tuple(err["loc"]))
        what = _message(err)
        lines.append(f"{where}: {what}" if where else what)
    return lines


def _reference_errors(a: Assessment, inst: Instrument) -> list[str]:
    """Checks that need the instrument: ids exist, periods are possible for this child."""
    errors: list[str] = []
    periods = {p.id: p for p in inst.periods}
    types = {t.id: t for t in inst.adversity_types}
    chronicity_ids = [c.id for c in inst.chronicity]
    age = a.age_months

    def period_problem(path: str, period_id: str) -> str | None:
        period = periods.get(period_id)
        if period is None:
            return f"{path}: unknown period {period_id!r}; expected one of {', '.join(periods)}"
        if period.start_months > age:
            return (
                f"{path}: period {period_id!r} starts at {period.start_months:g} months, "
                f"after the child's age ({age:.1f} months)"
            )
        return None

    for i, adv in enumerate(a.adversities):
        where = f"adversities[{i}]"
        if (problem := period_problem(f"{where}.period", adv.period)) is not None:
            errors.append(problem)
        kind = types.get(adv.type)
        if kind is None:
            errors.append(f"{where}.type: unknown adversity type {adv.type!r}")
        elif adv.period in periods and adv.period not in inst.allowed_periods(kind.id):
            errors.append(
                f"{where}.period: {adv.type!r} can only occur in "
                f"{', '.join(inst.allowed_periods(kind.id))}, got {adv.period!r}"
            )
        if adv.chronicity not in chronicity_ids:
            errors.append(
                f"{where}.chronicity: expected one of {', '.join(chronicity_ids)}, "
                f"got {adv.chronicity!r}"
            )

    history_ids = {i.id for i in inst.history_items}
    for period_id, items in a.relational_history.items():
        if (problem := period_problem(f"relational_history.{period_id}", period_id)) is not None:
            errors.append(problem)
        for item_id in items:
            if item_id not in history_ids:
                errors.append(
                    f"relational_history.{period_id}.{item_id}: unknown relational history item"
                )
    return errors + _unknown_id_errors(
        {
            "functional": a.functional,
            "current_relational_health": a.current_relational_health,
            "clinical_flags": a.clinical_flags,
        },
        inst,
    )


def _instrument_named_in(data: dict[str, Any]) -> Instrument | None:
    version = data.get("instrument_version", DEFAULT_VERSION)
    try:
        return load_instrument(version) if isinstance(version, str) else None
    except InstrumentError:
        return None


def _unknown_id_errors(data: dict[str, Any], inst: Instrument) -> list[str]:
    """Unknown ids in the rating sections, found even when the structure has other errors."""
    errors: list[str] = []
    flags = data.get("clinical_flags")
    if not inst.flags and isinstance(flags, dict) and flags:
        errors.append(
            f"clinical_flags: instrument v{inst.version} has no clinical flags (they start "
            "in v2); remove the field or rate with the current instrument"
        )
    sections = (
        ("functional", set(inst.function_ids), "unknown function id"),
        (
            "current_relational_health",
            {i.id for i in inst.current_items},
            "unknown current relational item",
        ),
        ("clinical_flags", set(inst.flag_ids), "unknown clinical flag"),
    )
    for section, known, message in sections:
        values = data.get(section)
        if section == "clinical_flags" and not inst.flags:
            continue  # reported once above
        if isinstance(values, dict) and len(values) <= MAX_ITEMS:
            errors += [f"{section}.{key}: {message}" for key in values if key not in known]
    return errors


def _raw_errors(data: dict[str, Any], inst: Instrument) -> list[str]:
    """The instrument and date checks, run on the raw document when its structure has
    errors too, so one pass lists every problem (messages as ``_reference_errors``'s)."""
    errors: list[str] = []
    periods = {p.id for p in inst.periods}
    types = {t.id for t in inst.adversity_types}
    chronicity_ids = [c.id for c in inst.chronicity]
    adversities = data.get("adversities")
    if isinstance(adversities, list) and len(adversities) <= MAX_ADVERSITIES:
        for i, adv in enumerate(adversities):
            if not isinstance(adv, dict):
                continue
            period, kind, chronicity = adv.get("period"), adv.get("type"), adv.get("chronicity")
            if isinstance(period, str) and period not in periods:
                errors.append(
                    f"adversities[{i}].period: unknown period {_shown(period)}; "
                    f"expected one of {', '.join(periods)}"
                )
            if isinstance(kind, str) and kind not in types:
                errors.append(f"adversities[{i}].type: unknown adversity type {_shown(kind)}")
            if isinstance(chronicity, str) and chronicity not in chronicity_ids:
                errors.append(
                    f"adversities[{i}].chronicity: expected one of {', '.join(chronicity_ids)}, "
                    f"got {_shown(chronicity)}"
                )
    history = data.get("relational_history")
    if isinstance(history, dict) and len(history) <= MAX_ITEMS:
        items = {i.id for i in inst.history_items}
        for period_id, values in history.items():
            if period_id not in periods:
                errors.append(
                    f"relational_history.{period_id}: unknown period {_shown(period_id)}; "
                    f"expected one of {', '.join(periods)}"
                )
            if isinstance(values, dict) and len(values) <= MAX_ITEMS:
                errors += [
                    f"relational_history.{period_id}.{item}: unknown relational history item"
                    for item in values
                    if item not in items
                ]
    client = data.get("client")
    birth = client.get("birth_date") if isinstance(client, dict) else None
    try:
        if date.fromisoformat(str(birth)) > date.fromisoformat(str(data.get("assessment_date"))):
            errors.append("client.birth_date: expected a date before assessment_date")
    except ValueError:
        pass
    return errors


def parse_assessment(data: Any, instrument: Instrument | None = None) -> Assessment:
    """Validate a decoded assessment (dict) against the format and its instrument."""
    if not isinstance(data, dict):
        raise AssessmentError(
            [f"expected an object (mapping) at the top, got {type(data).__name__}"]
        )
    try:
        assessment = Assessment.model_validate(data)
    except ValidationError as exc:
        errors = _structure_errors(exc)
        known = instrument or _instrument_named_in(data)
        if known is not None:
            raw = _unknown_id_errors(data, known) + _raw_errors(data, known)
            errors += [e for e in raw if e not in errors]
        raise AssessmentError(list(dict.fromkeys(errors))) from None
    if instrument is None:
        try:
            instrument = load_instrument(assessment.instrument_version)
        except InstrumentError as exc:
            raise AssessmentError([f"instrument_version: {exc}"]) from None
    elif instrument.version != assessment.instrument_version:
        raise AssessmentError(
            [
                f"instrument_version: expected {instrument.version!r}, "
                f"got {assessment.instrument_version!r}"
            ]
        )
    errors = _reference_errors(assessment, instrument)
    if errors:
        raise AssessmentError(errors)
    return assessment


MAX_VALUES = 200_000


def _count_exceeds(value: Any, budget: int) -> bool:
    """More than ``budget`` values, counting shared parts each time they are reached (YAML
    aliases can make a small file expand into billions of values)."""
    stack, seen = [value], 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > budget:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def read_document(path: Path) -> Any:
    """Decode a JSON or YAML file; errors name the file and the position.

    Size, nesting and number length are capped (``neuroseq.json_limits``), so no file can
    crash the reader or make it run for minutes."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise AssessmentError(
                [f"{path}: the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"]
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssessmentError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssessmentError([f"{path}: cannot read: {exc}"]) from None
    return decode_text(text, yaml_text=path.suffix.lower() in {".yaml", ".yml"}, where=f"{path}: ")


def decode_text(
    text: str, *, yaml_text: bool, where: str = "", max_bytes: int = MAX_FILE_BYTES
) -> Any:
    """JSON (or YAML) text from outside to data, within the size, nesting and count caps.

    The one decoder of files and pasted or uploaded documents; problems are one
    ``AssessmentError`` line, prefixed with ``where``."""
    if yaml_text:
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise AssessmentError([f"{where}the text is larger than {max_bytes // 1024} KB"])
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise AssessmentError([f"{where}not valid YAML: {exc}"]) from None
        except (ValueError, OverflowError) as exc:  # e.g. a date such as 2026-13-45
            raise AssessmentError([f"{where}not valid YAML: {exc}"]) from None
        except RecursionError:
            raise AssessmentError([f"{where}not valid YAML: nested too deep"]) from None
        if _count_exceeds(value, MAX_VALUES):
            raise AssessmentError([f"{where}the document holds more than {MAX_VALUES} values"])
        return value
    try:
        return load_json_limited(text, max_bytes=max_bytes, max_depth=MAX_JSON_DEPTH)
    except JsonLimitError as exc:
        raise AssessmentError([f"{where}{exc}"]) from None


def load_assessment_file(path: Path | str, instrument: Instrument | None = None) -> Assessment:
    return parse_assessment(read_document(Path(path)), instrument)


def json_schema(instrument: Instrument) -> dict[str, Any]:
    """JSON Schema of the format, with the instrument's ids spelled out for editors."""
    schema = Assessment.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"neuroseq assessment (instrument v{instrument.version})"
    rating = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 3}, {"type": "null"}]}
    props = schema["properties"]

    def closed(ids: list[str], descriptions: dict[str, str]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {i: {**rating, "description": descriptions[i]} for i in ids},
            "additionalProperties": False,
        }

    props["functional"] = closed(
        list(instrument.function_ids), {f.id: f.name for f in instrument.functions}
    )
    props["current_relational_health"] = closed(
        [i.id for i in instrument.current_items], {i.id: i.name for i in instrument.current_items}
    )
    flag = {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
    props["clinical_flags"] = {
        "type": "object",
        "description": props["clinical_flags"].get("description", ""),
        "properties": {f.id: {**flag, "description": f.label} for f in instrument.flags},
        "additionalProperties": False,
    }
    history = closed(
        [i.id for i in instrument.history_items], {i.id: i.name for i in instrument.history_items}
    )
    props["relational_history"] = {
        "type": "object",
        "properties": dict.fromkeys(instrument.period_ids, history),
        "additionalProperties": False,
    }
    props["adversities"]["maxItems"] = MAX_ADVERSITIES
    adversity = schema["$defs"]["Adversity"]["properties"]
    adversity["type"]["enum"] = [t.id for t in instrument.adversity_types]
    adversity["period"]["enum"] = list(instrument.period_ids)
    adversity["chronicity"]["enum"] = [c.id for c in instrument.chronicity]
    adversity["severity"] = {"type": "integer", "minimum": 1, "maximum": 3}
    return schema
