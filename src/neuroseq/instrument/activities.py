"""The activity catalogue: what the plan can recommend, as versioned, validated data.

``activities.yaml`` sits beside the instrument's other files. Loading checks the file's
structure (pydantic) and every reference against the instrument: regions, functions,
domains, stages and source keys. A broken file fails with the file name, the activity id
and the problem, never with a half-loaded catalogue.

Two ways to say where, by whom and how often an activity happens:

- version 1: ``settings``, ``delivered_by`` and one ``dosage`` for all of them (the plan
  pairs a setting with a natural person);
- from version 2: ``delivery``, one entry per setting with the people who deliver it there
  and that setting's own dosage, so a school activity has school-day frequencies and a
  teacher is only ever asked to do what the data says a teacher does. ``settings``,
  ``delivered_by`` and ``dosage`` (the first delivery's) are then derived from it.

A catalogue that uses ``tags`` lists their meanings in a ``tags`` vocabulary; the safety
rules (``rules.yaml``) refer to activities by tag.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from neuroseq.instrument.loader import Instrument, InstrumentError, _describe_location
from neuroseq.instrument.rules import Rules, load_rules
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


class Delivery(_Strict):
    """One setting of an activity: who delivers it there, and how often there."""

    setting: Setting
    by: list[Deliverer] = Field(min_length=1)
    dosage: Dosage

    @field_validator("by")
    @classmethod
    def _no_repeats(cls, values: list[Deliverer]) -> list[Deliverer]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed twice: {', '.join(repeated)}")
        return values


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
    delivery: tuple[Delivery, ...] | None = None
    tags: list[Identifier] = []
    basis: Basis
    rationale: str = Field(min_length=20)
    sources: list[Identifier] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _derive_from_delivery(cls, data: Any) -> Any:
        """With ``delivery``, the settings, people and first dosage follow from it."""
        if not isinstance(data, dict) or data.get("delivery") is None:
            return data
        given = [k for k in ("settings", "delivered_by", "dosage") if k in data]
        if given:
            raise ValueError(
                f"give either delivery or {', '.join(given)}, not both "
                "(with delivery, settings, people and dosage are read from it)"
            )
        entries = data["delivery"]
        if not isinstance(entries, list) or not entries:
            return data  # the field validator reports it
        settings = [e.get("setting") for e in entries if isinstance(e, dict)]
        repeated = sorted({s for s in settings if settings.count(s) > 1}, key=str)
        if repeated:
            raise ValueError(f"delivery: one entry per setting; repeated: {repeated}")
        people: list[Any] = []
        for e in entries:
            by = e.get("by") if isinstance(e, dict) else None
            for person in by if isinstance(by, list) else []:
                if person not in people:
                    people.append(person)
        first = entries[0] if isinstance(entries[0], dict) else {}
        return {**data, "settings": settings, "delivered_by": people, "dosage": first.get("dosage")}

    @model_validator(mode="after")
    def _targets_something(self) -> Activity:
        if not self.functions and not self.domains:
            raise ValueError("give target functions, domains or both")
        if self.basis != "published" and "expert judgement" not in self.rationale.lower():
            raise ValueError(
                f"basis is {self.basis!r}: the rationale must say which part is expert judgement"
            )
        return self

    @field_validator(
        "regions", "functions", "domains", "settings", "delivered_by", "sources", "tags"
    )
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"listed twice: {', '.join(repeated)}")
        return values

    def pairs(self) -> list[tuple[Setting, Deliverer]]:
        """Every (setting, person) the data allows, in file order."""
        if self.delivery is not None:
            return [(d.setting, p) for d in self.delivery for p in d.by]
        return [(s, p) for s in self.settings for p in self.delivered_by]

    def dose_for(self, setting: Setting) -> Dosage:
        """The dosage in ``setting``: its delivery's own, or the single version-1 dosage."""
        for d in self.delivery or ():
            if d.setting == setting:
                return d.dosage
        return self.dosage


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


class RelationalCore(_Strict):
    """Relational work that runs from the first phase, whatever the focus region.

    Relationships are the core repetitive intervention: coaching the caregivers and
    co-regulation do not wait behind the regulation of the lower brain.
    """

    rationale: str = Field(min_length=20)
    sources: list[Identifier] = Field(min_length=1)
    activities: list[Identifier] = Field(min_length=1)
    max_activities: int = Field(ge=1, le=6)


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
    tags: dict[Identifier, str] = {}
    relational_core: RelationalCore | None = None


class Catalogue(_Strict):
    """A validated catalogue with lookups; build it with :func:`load_activities`."""

    header: CatalogueHeader
    dose_guidance: DoseGuidance
    stages: tuple[Stage, ...]
    sources: dict[str, str]
    activities: tuple[Activity, ...]
    relational_supports: RelationalSupports
    tags: dict[str, str] = {}
    relational_core: RelationalCore | None = None

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
    for t in a.tags:
        if t not in cat.tags:
            problems.append(f"{where}: tags: unknown tag {t!r} (not in the tags vocabulary)")
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
    core = cat.relational_core
    if core is not None:
        known = {a.id: a for a in cat.activities}
        for activity_id in core.activities:
            if activity_id not in known:
                problems.append(
                    f"{FILE_NAME}: relational_core.activities: unknown activity {activity_id!r}"
                )
            elif known[activity_id].stage != "relate":
                problems.append(
                    f"{FILE_NAME}: relational_core.activities: {activity_id!r} is a "
                    f"{known[activity_id].stage!r} activity; the core is relational work"
                )
    cited = {*cat.relational_supports.sources, *cat.dose_guidance.sources}
    if core is not None:
        cited.update(core.sources)
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
        tags=parsed.tags,
        relational_core=parsed.relational_core,
    )


def delivery_problems(cat: Catalogue, rules: Rules) -> list[str]:
    """The catalogue against the plan rules: per-setting delivery, people allowed in each
    setting, school-day limits, pairings that never happen, and the tags the rules use."""
    problems: list[str] = []
    d = rules.delivery
    words = [(w, re.compile(rf"\b{re.escape(w)}", re.IGNORECASE)) for w in d.school.forbidden_words]
    for a in cat.activities:
        where = f"{FILE_NAME}: activity {a.id}"
        if a.delivery is None:
            problems.append(
                f"{where}: delivery: required with plan rules (one entry per setting, "
                "with who delivers it there and how often)"
            )
            continue
        for entry in a.delivery:
            allowed = d.allowed_people.get(entry.setting, [])
            for person in entry.by:
                if person not in allowed:
                    problems.append(
                        f"{where}: delivery.{entry.setting}: {person!r} does not deliver "
                        f"activities in this setting (allowed: {', '.join(allowed)})"
                    )
            for never in d.never:
                clash = sorted(set(never.tags) & set(a.tags))
                if never.by in entry.by and clash:
                    problems.append(
                        f"{where}: delivery.{entry.setting}: {never.by!r} never delivers "
                        f"{', '.join(clash)} activities ({' '.join(never.reason.split())})"
                    )
            if entry.setting != "school":
                continue
            if entry.dosage.days_per_week > d.school.max_days_per_week:
                problems.append(
                    f"{where}: delivery.school.dosage.days_per_week: at most "
                    f"{d.school.max_days_per_week} school days, got {entry.dosage.days_per_week}"
                )
            for word, pattern in words:
                if pattern.search(entry.dosage.plain):
                    problems.append(
                        f"{where}: delivery.school.dosage.plain: {word!r} does not belong in a "
                        f"school dose ({entry.dosage.plain!r})"
                    )
    used = {t for rule in rules.contraindications for t in rule.activity_tags}
    used.update(t for never in d.never for t in never.tags)
    for tag in sorted(used - set(cat.tags)):
        problems.append(f"{FILE_NAME}: tags: the plan rules use tag {tag!r}; add it")
    return problems


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
    rules = load_rules(instrument)
    if rules is not None:
        problems = delivery_problems(catalogue, rules)
        if problems:
            raise InstrumentError("\n".join(problems))
    _CACHE[key] = (instrument, catalogue)
    return catalogue
