"""The activity catalogue: what the plan can recommend, as versioned, validated data.

``activities.yaml`` sits beside the instrument's other files. Loading checks the file's
structure (pydantic) and every reference against the instrument: regions, functions,
domains, stages and source keys. A broken file fails with the file name, the activity id
and the problem, never with a half-loaded catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from neuroseq.instrument.loader import Instrument, InstrumentError, _describe_location
from neuroseq.instrument.schema import MAX_AGE_MONTHS

FILE_NAME = "activities.yaml"

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
Setting = Literal["home", "school", "clinic", "community"]
Deliverer = Literal["caregiver", "teacher", "peer", "therapist", "coach", "other"]
Basis = Literal["published", "expert_judgement", "mixed"]

SETTINGS: tuple[Setting, ...] = ("home", "school", "clinic", "community")
DELIVERERS: tuple[Deliverer, ...] = ("caregiver", "teacher", "peer", "therapist", "coach", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeRange(_Strict):
    """Inclusive range of ages in months; written ``[min, max]`` in the file."""

    min: float = Field(ge=0, le=MAX_AGE_MONTHS)
    max: float = Field(ge=0, le=MAX_AGE_MONTHS)

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError(f"expected [min, max] in months, got {list(value)!r}")
            return {"min": value[0], "max": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self

    def contains(self, months: float) -> bool:
        return self.min <= months <= self.max


class Dosage(_Strict):
    """How often and how long: ``days_per_week`` x ``episodes_per_day`` x minutes."""

    days_per_week: int = Field(ge=1, le=7)
    episodes_per_day: int = Field(ge=1, le=12)
    minutes_per_episode: int = Field(ge=1, le=120)
    plain: str = Field(min_length=5)

    @property
    def episodes_per_week(self) -> int:
        return self.days_per_week * self.episodes_per_day

    @property
    def minutes_per_week(self) -> int:
        return self.episodes_per_week * self.minutes_per_episode


class Stage(_Strict):
    """Regulate, relate, reason: the sequence, and the regions an activity of the stage may
    start at (its lowest targeted region); this keeps insight work off the lower brain."""

    id: Identifier
    name: str
    plain_name: str
    regions: list[Identifier] = Field(min_length=1)
    description: str


class Activity(_Strict):
    id: Identifier
    stage: Identifier
    name: str = Field(min_length=3)
    plain_name: str = Field(min_length=3)
    description: str = Field(min_length=10)
    plain_description: str = Field(min_length=10)
    regions: list[Identifier] = Field(min_length=1)
    functions: list[Identifier] = []
    domains: list[Identifier] = []
    developmental_age_months: AgeRange
    age_acceptable_months: AgeRange
    settings: list[Setting] = Field(min_length=1)
    delivered_by: list[Deliverer] = Field(min_length=1)
    dosage: Dosage
    basis: Basis
    rationale: str = Field(min_length=20)
    sources: list[Identifier] = Field(min_length=1)

    @model_validator(mode="after")
    def _targets_something(self) -> Activity:
        if not self.functions and not self.domains:
            raise ValueError("give target functions, domains or both")
        if self.basis != "published" and "expert judgement" not in self.rationale.lower():
            raise ValueError(
                f"basis is {self.basis!r}: the rationale must say which part is expert judgement"
            )
        return self

    @field_validator("regions", "functions", "domains", "settings", "delivered_by", "sources")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed twice: {', '.join(repeated)}")
        return values


class RelationalAction(_Strict):
    """A concrete action that strengthens one current relational health item."""

    id: Identifier
    item: Identifier
    name: str
    plain_name: str
    description: str
    plain_description: str
    delivered_by: list[Deliverer] = Field(min_length=1)


class RelationalSupports(_Strict):
    rationale: str
    sources: list[Identifier] = Field(min_length=1)
    actions: list[RelationalAction] = Field(min_length=1)


class DoseGuidance(_Strict):
    daily_episodes_goal: int = Field(ge=1, le=24)
    rationale: str
    sources: list[Identifier] = Field(min_length=1)


class CatalogueHeader(_Strict):
    name: str
    version: str
    instrument_version: str
    status: str
    disclaimer: str
    license: str


class CatalogueFile(_Strict):
    header: CatalogueHeader
    dose_guidance: DoseGuidance
    stages: list[Stage] = Field(min_length=1)
    sources: dict[Identifier, str] = Field(min_length=1)
    activities: list[Activity] = Field(min_length=40)
    relational_supports: RelationalSupports


class Catalogue(_Strict):
    """A validated catalogue with lookups; build it with :func:`load_activities`."""

    header: CatalogueHeader
    dose_guidance: DoseGuidance
    stages: tuple[Stage, ...]
    sources: dict[str, str]
    activities: tuple[Activity, ...]
    relational_supports: RelationalSupports

    @property
    def version(self) -> str:
        return self.header.version

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def activity(self, activity_id: str) -> Activity:
        for a in self.activities:
            if a.id == activity_id:
                return a
        raise KeyError(f"unknown activity {activity_id!r} in catalogue v{self.version}")

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(f"unknown stage {stage_id!r} in catalogue v{self.version}")

    def actions_for(self, item_id: str) -> tuple[RelationalAction, ...]:
        return tuple(a for a in self.relational_supports.actions if a.item == item_id)


def _activity_problems(a: Activity, inst: Instrument, cat: CatalogueFile) -> list[str]:
    where = f"{FILE_NAME}: activity {a.id}"
    problems: list[str] = []
    stages = {s.id: s for s in cat.stages}
    for r in a.regions:
        if r not in inst.region_ids:
            problems.append(f"{where}: regions: unknown region {r!r}")
    for d in a.domains:
        if d not in inst.domain_ids:
            problems.append(f"{where}: domains: unknown domain {d!r}")
    for f in a.functions:
        if f not in inst.function_ids:
            problems.append(f"{where}: functions: unknown function {f!r}")
        elif inst.function(f).region not in a.regions:
            problems.append(
                f"{where}: functions: {f!r} is in region {inst.function(f).region!r}, "
                "which the activity does not target"
            )
    stage = stages.get(a.stage)
    if stage is None:
        problems.append(f"{where}: stage: unknown stage {a.stage!r}")
    elif all(r in inst.region_ids for r in a.regions):
        lowest = min(a.regions, key=inst.region_ids.index)
        if lowest not in stage.regions:
            problems.append(
                f"{where}: regions: a {a.stage!r} activity may not start at {lowest!r} "
                f"(its lowest region must be one of {', '.join(stage.regions)})"
            )
    for s in a.sources:
        if s not in cat.sources:
            problems.append(f"{where}: sources: unknown source key {s!r}")
    return problems


def _cross_check(cat: CatalogueFile, inst: Instrument) -> list[str]:
    problems: list[str] = []
    if cat.header.instrument_version != inst.version:
        problems.append(
            f"{FILE_NAME}: header.instrument_version: expected {inst.version!r}, "
            f"got {cat.header.instrument_version!r}"
        )
    for kind, ids in (
        ("activity", [a.id for a in cat.activities]),
        ("stage", [s.id for s in cat.stages]),
        ("relational action", [a.id for a in cat.relational_supports.actions]),
    ):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"{FILE_NAME}: duplicate {kind} id(s): {', '.join(dupes)}")
    for stage in cat.stages:
        for r in stage.regions:
            if r not in inst.region_ids:
                problems.append(f"{FILE_NAME}: stage {stage.id}: regions: unknown region {r!r}")
    for a in cat.activities:
        problems.extend(_activity_problems(a, inst, cat))
    current_ids = {i.id for i in inst.current_items}
    for action in cat.relational_supports.actions:
        if action.item not in current_ids:
            problems.append(
                f"{FILE_NAME}: relational action {action.id}: item: unknown current "
                f"relational item {action.item!r}"
            )
    cited = {*cat.relational_supports.sources, *cat.dose_guidance.sources}
    for s in sorted(cited):
        if s not in cat.sources:
            problems.append(f"{FILE_NAME}: unknown source key {s!r}")
    cited.update(s for a in cat.activities for s in a.sources)
    for s in sorted(set(cat.sources) - cited):
        problems.append(f"{FILE_NAME}: sources.{s}: listed but never cited")
    return problems


def _read(path: Path) -> Any:
    """Decode the YAML file (with libyaml when present: the catalogue is the largest file)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise InstrumentError(f"{path.name}: file missing from {path.parent}") from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: not valid YAML: {exc}") from None


def load_catalogue_file(path: Path, instrument: Instrument) -> Catalogue:
    """Read and validate one catalogue file against ``instrument`` (uncached)."""
    data = _read(path)
    try:
        parsed = CatalogueFile.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path.name}: {_describe_location(data, tuple(err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise InstrumentError("\n".join(lines)) from None
    problems = _cross_check(parsed, instrument)
    if problems:
        raise InstrumentError("\n".join(problems))
    return Catalogue(
        header=parsed.header,
        dose_guidance=parsed.dose_guidance,
        stages=tuple(parsed.stages),
        sources=parsed.sources,
        activities=tuple(parsed.activities),
        relational_supports=parsed.relational_supports,
    )


_CACHE: dict[tuple[Path, str], tuple[Instrument, Catalogue]] = {}


def load_activities(instrument: Instrument) -> Catalogue:
    """The validated activity catalogue of ``instrument``'s version.

    Cached per instrument object (instruments are immutable and themselves cached).
    Raises :class:`InstrumentError` naming the file, the activity and the problem.
    """
    key = (instrument.data_dir, instrument.version)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is instrument:
        return hit[1]
    catalogue = load_catalogue_file(instrument.data_dir / FILE_NAME, instrument)
    _CACHE[key] = (instrument, catalogue)
    return catalogue
