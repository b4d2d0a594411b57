"""The plan's safety, coverage and sequence rules, as versioned, validated data.

``rules.yaml`` sits beside the instrument's other files (from version 2; version 1 has
none and plans as it always did). It holds every threshold and every sentence of the
safety blocks, so a clinic can read, cite and change them as a new version:

- ``medical``: what a ticked medical flag does (a "medical review first" block; the
  flagged function's activities are held until the review);
- ``safeguarding``: when the current situation asks for the safeguarding procedure
  (ticked safeguarding flags, very low current relational health, item ratings such as
  "moving imminently") and what the block says to each audience;
- ``coverage``: the minimum number of rated items per region and of current relational
  items before the plan may proceed;
- ``focus``: the measurement-error rule for "below the typical child" (z x SEM);
- ``unlock``: when the next phase starts (reliable improvement of the region below, or a
  plateau);
- ``contraindications``: activity tags that are not handed to caregivers or teachers
  when the history and the item ratings say so;
- ``considerations``: clinician-only prompts the history raises (e.g. an FASD
  assessment after prenatal alcohol exposure);
- ``delivery``: who may deliver in each setting, school-day limits and pairings that
  never happen (a teacher never rocks a child); the catalogue is checked against them.

Loading checks every reference against the instrument (regions, functions, current
relational items, adversity types, flags); a broken file fails naming the file, the entry
and the problem.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from neuroseq.instrument.loader import Instrument, InstrumentError, _describe_location

FILE_NAME = "rules.yaml"

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
SettingId = Literal["home", "school", "clinic", "community"]
DelivererId = Literal["caregiver", "teacher", "peer", "therapist", "coach", "other"]
Text = Annotated[str, Field(min_length=3)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


PLAIN_FIELDS = frozenset({"child", "Child"})


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _plain_placeholders(text: str) -> str:
    """Plain texts may only use ``{child}`` / ``{Child}``; anything else is a typo."""
    try:
        unknown = _fields(text) - PLAIN_FIELDS
    except ValueError as exc:
        raise ValueError(f"broken placeholder: {exc}") from None
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {', '.join(sorted(unknown))}; plain texts may use "
            "{child} and {Child}"
        )
    return text


PlainText = Annotated[str, Field(min_length=3), AfterValidator(_plain_placeholders)]


class BlockTexts(_Strict):
    """What a block says: the clinician's instruction and the plain words for each audience.

    ``{child}`` in plain texts becomes "your child" (caregiver) or "the pupil" (teacher).
    """

    title: Text
    text: Text
    plain_title: PlainText
    caregiver_text: PlainText
    teacher_text: PlainText | None

    def check_fields(self, allowed: set[str]) -> list[str]:
        """Placeholders of the clinician text that the plan does not fill."""
        try:
            unknown = _fields(self.text) - allowed
        except ValueError as exc:
            return [f"broken placeholder: {exc}"]
        return [f"unknown placeholder {{{name}}}" for name in sorted(unknown)]


class MedicalRules(_Strict):
    block: BlockTexts
    held_note: Text
    plain_held_note: PlainText
    rationale: Text
    sources: list[Identifier] = Field(min_length=1)


class ItemTrigger(_Strict):
    """A current relational item rated at most ``at_most`` triggers the safeguarding block."""

    item: Identifier
    at_most: int = Field(ge=0, le=3)
    reason: Text
    plain_reason: PlainText | None = None


class SafeguardingRules(_Strict):
    current_relational_health_below: float = Field(gt=0, le=100)
    low_health_reason: Text
    items: list[ItemTrigger] = []
    share_flags_with_family: list[Identifier] = []
    block: BlockTexts
    rationale: Text
    sources: list[Identifier] = Field(min_length=1)


class CoverageRules(_Strict):
    min_rated: dict[Identifier, int]
    relational_min_rated: int = Field(ge=1)
    relational_required: list[Identifier] = []
    block: BlockTexts
    rationale: Text


class FocusRule(_Strict):
    """A region is below the typical child when the gap exceeds ``z`` x SEM of its score."""

    z: float = Field(gt=0, le=4)
    behind_z: float = Field(gt=0, le=4)
    rationale: Text


class UnlockRule(_Strict):
    z: float = Field(gt=0, le=4)
    plateau_reviews: int = Field(ge=2, le=12)
    plateau_min_months: float = Field(ge=1, le=60)
    rationale: Text


class StatusAtMost(_Strict):
    function: Identifier
    at_most: int = Field(ge=0, le=3)


class Contraindication(_Strict):
    """Activities with one of ``activity_tags`` are given only by ``only_by`` when the
    history holds one of ``adversity_types`` and one of ``low_functions`` is rated at most
    its limit (or not rated, when ``unrated_counts``). Without ``teacher_reason`` the block
    is not shown to teachers (a home routine is not the school's business)."""

    id: Identifier
    activity_tags: list[Identifier] = Field(min_length=1)
    adversity_types: list[Identifier] = Field(min_length=1)
    low_functions: list[StatusAtMost] = Field(min_length=1)
    unrated_counts: bool = True
    only_by: list[DelivererId] = Field(min_length=1)
    title: Text
    reason: Text
    plain_title: PlainText
    plain_reason: PlainText
    teacher_reason: PlainText | None = None
    sources: list[Identifier] = Field(min_length=1)


class Consideration(_Strict):
    """A clinician-only prompt that the history raises (not a block, not for the family)."""

    id: Identifier
    adversity_types: list[Identifier] = Field(min_length=1)
    text: Text
    sources: list[Identifier] = Field(min_length=1)


class SchoolLimits(_Strict):
    max_days_per_week: int = Field(ge=1, le=7)
    forbidden_words: list[str] = Field(min_length=1)
    rationale: Text


class NeverPair(_Strict):
    by: DelivererId
    tags: list[Identifier] = Field(min_length=1)
    reason: Text


class DeliveryRules(_Strict):
    allowed_people: dict[SettingId, list[DelivererId]]
    school: SchoolLimits
    never: list[NeverPair] = []


class RulesHeader(_Strict):
    name: Text
    version: str
    instrument_version: str
    status: Text


class Rules(_Strict):
    """One validated rules file; load it with :func:`load_rules`."""

    header: RulesHeader
    medical: MedicalRules
    safeguarding: SafeguardingRules
    coverage: CoverageRules
    focus: FocusRule
    unlock: UnlockRule
    contraindications: list[Contraindication] = []
    considerations: list[Consideration] = []
    delivery: DeliveryRules
    sources: dict[Identifier, Text] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rules:
        ids = [c.id for c in self.contraindications]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"contraindications: duplicate id(s): {', '.join(repeated)}")
        return self

    def region_threshold(self, inst: Instrument, region: str) -> float:
        """``z`` x SEM of the region score: SD x sqrt(1 - r) from the instrument's figures."""
        figure = inst.reliability.regions[region]
        return float(self.focus.z * figure.sd * (1 - figure.reliability) ** 0.5)


def _cross_check(rules: Rules, inst: Instrument) -> list[str]:
    problems: list[str] = []
    where = FILE_NAME
    if rules.header.instrument_version != inst.version:
        problems.append(
            f"{where}: header.instrument_version: expected {inst.version!r}, "
            f"got {rules.header.instrument_version!r}"
        )
    for name, texts, allowed in (
        ("medical.block", rules.medical.block, set()),
        ("safeguarding.block", rules.safeguarding.block, set()),
        ("coverage.block", rules.coverage.block, {"where", "items"}),
    ):
        problems += [f"{where}: {name}.text: {p}" for p in texts.check_fields(allowed)]
    sg = rules.safeguarding
    for name, text, allowed in (
        ("safeguarding.low_health_reason", sg.low_health_reason, {"score", "below"}),
        *(
            (f"safeguarding.items[{i}].reason", t.reason, {"item", "rating", "anchor"})
            for i, t in enumerate(sg.items)
        ),
    ):
        try:
            unknown = sorted(_fields(text) - allowed)
        except ValueError as exc:
            unknown = [f"broken placeholder: {exc}"]
        problems += [f"{where}: {name}: unknown placeholder {u!r}" for u in unknown]
    current = {i.id for i in inst.current_items}
    flags = {f.id: f for f in inst.flags}
    adversity = {t.id for t in inst.adversity_types}
    for region, minimum in rules.coverage.min_rated.items():
        if region not in inst.region_ids:
            problems.append(f"{where}: coverage.min_rated: unknown region {region!r}")
            continue
        total = len(inst.functions_in_region(region))
        if not 1 <= minimum <= total:
            problems.append(
                f"{where}: coverage.min_rated.{region}: expected 1-{total} "
                f"(the region has {total} items), got {minimum}"
            )
    missing = [r for r in inst.region_ids if r not in rules.coverage.min_rated]
    if missing:
        problems.append(f"{where}: coverage.min_rated: no minimum for {', '.join(missing)}")
    if rules.coverage.relational_min_rated > len(current):
        problems.append(
            f"{where}: coverage.relational_min_rated: at most {len(current)} current items exist"
        )
    for item in rules.coverage.relational_required:
        if item not in current:
            problems.append(
                f"{where}: coverage.relational_required: unknown current relational item {item!r}"
            )
    for i, trigger in enumerate(rules.safeguarding.items):
        if trigger.item not in current:
            problems.append(
                f"{where}: safeguarding.items[{i}].item: unknown current relational item "
                f"{trigger.item!r}"
            )
    for flag_id in rules.safeguarding.share_flags_with_family:
        flag = flags.get(flag_id)
        if flag is None or flag.kind != "safeguarding":
            problems.append(
                f"{where}: safeguarding.share_flags_with_family: {flag_id!r} is not a "
                "safeguarding flag of the instrument"
            )
    for c in rules.contraindications:
        for t in c.adversity_types:
            if t not in adversity:
                problems.append(
                    f"{where}: contraindications.{c.id}.adversity_types: unknown adversity "
                    f"type {t!r}"
                )
        for low in c.low_functions:
            if low.function not in inst.function_ids:
                problems.append(
                    f"{where}: contraindications.{c.id}.low_functions: unknown function "
                    f"{low.function!r}"
                )
    for k in rules.considerations:
        for t in k.adversity_types:
            if t not in adversity:
                problems.append(
                    f"{where}: considerations.{k.id}.adversity_types: unknown adversity type {t!r}"
                )
    cited = {
        *rules.medical.sources,
        *rules.safeguarding.sources,
        *(s for c in rules.contraindications for s in c.sources),
        *(s for k in rules.considerations for s in k.sources),
    }
    for s in sorted(cited - set(rules.sources)):
        problems.append(f"{where}: unknown source key {s!r}")
    for s in sorted(set(rules.sources) - cited):
        problems.append(f"{where}: sources.{s}: listed but never cited")
    return problems


def load_rules_file(path: Path, instrument: Instrument) -> Rules:
    """Read and validate one rules file against ``instrument`` (uncached)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentError(f"{path.name}: file missing from {path.parent}") from None
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        rules = Rules.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path.name}: {_describe_location(data, tuple(err['loc']))}: {err['msg']}"
            for err in exc.errors()
        ]
        raise InstrumentError("\n".join(lines)) from None
    problems = _cross_check(rules, instrument)
    if problems:
        raise InstrumentError("\n".join(problems))
    return rules


_CACHE: dict[tuple[Path, str], tuple[Instrument, Rules | None]] = {}


def load_rules(instrument: Instrument) -> Rules | None:
    """The plan rules of ``instrument``'s version, or None when it has none (version 1).

    Cached per instrument object, like the activity catalogue.
    """
    key = (instrument.data_dir, instrument.version)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is instrument:
        return hit[1]
    path = instrument.data_dir / FILE_NAME
    rules = load_rules_file(path, instrument) if path.exists() else None
    _CACHE[key] = (instrument, rules)
    return rules
