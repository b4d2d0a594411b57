"""Pydantic schema of the instrument's data files.

The instrument is data, not code: every weight, norm and threshold lives in
``data/<version>/*.yaml``. This module states what a valid file looks like so
that a broken file fails at load time with the file, the item and the problem.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal[0, 1, 2, 3]
STATUSES: tuple[int, ...] = (0, 1, 2, 3)
MAX_AGE_MONTHS = 216  # 18 years: the end of the norms and of the instrument's age range.

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(Strict):
    id: Identifier
    name: str
    plain_name: str
    description: str
    plain_description: str


class Domain(Strict):
    id: Identifier
    name: str
    plain_name: str
    description: str
    plain_description: str


class StatusLevel(Strict):
    value: Status
    label: str
    plain_label: str


class Anchors(Strict):
    """What each status means for this function, in clinical words."""

    s0: str = Field(alias="0")
    s1: str = Field(alias="1")
    s2: str = Field(alias="2")
    s3: str = Field(alias="3")

    def for_status(self, status: int) -> str:
        return {0: self.s0, 1: self.s1, 2: self.s2, 3: self.s3}[status]


class NormPoint(Strict):
    age_months: float = Field(ge=0, le=MAX_AGE_MONTHS)
    status: float = Field(ge=0, le=3)


class Function(Strict):
    id: Identifier
    region: Identifier
    domain: Identifier
    name: str
    description: str
    plain_name: str
    plain_description: str
    weight: float = Field(gt=0, le=10)
    anchors: Anchors
    norms: list[NormPoint] = Field(min_length=2)
    norm_source: str = Field(min_length=10)
    references: list[Identifier] = []  # keys of checkpoints.yaml references (v2 on)

    @field_validator("norms", mode="before")
    @classmethod
    def _pairs_to_points(cls, value: object) -> object:
        if isinstance(value, list):
            return [
                {"age_months": v[0], "status": v[1]} if isinstance(v, list | tuple) else v
                for v in value
            ]
        return value

    @field_validator("norms")
    @classmethod
    def _norms_cover_childhood_and_never_fall(cls, norms: list[NormPoint]) -> list[NormPoint]:
        if norms[0].age_months != 0 or norms[-1].age_months != MAX_AGE_MONTHS:
            raise ValueError(f"norms must start at 0 months and end at {MAX_AGE_MONTHS} months")
        for before, after in zip(norms, norms[1:], strict=False):
            if after.age_months <= before.age_months:
                raise ValueError(
                    f"norm ages must increase; {after.age_months} follows {before.age_months}"
                )
            if after.status < before.status:
                raise ValueError(
                    "typical development never loses a function: status falls from "
                    f"{before.status} to {after.status} at {after.age_months} months"
                )
        return norms


class Period(Strict):
    id: Identifier
    label: str
    plain_label: str
    start_months: float = Field(ge=-9, le=MAX_AGE_MONTHS)
    end_months: float = Field(ge=0, le=MAX_AGE_MONTHS)
    timing_weight: float = Field(gt=0, le=10)


class AdversityType(Strict):
    id: Identifier
    name: str
    description: str
    weight: float = Field(gt=0, le=10)
    periods: list[Identifier] | None = None  # None: can happen in any period
    rationale: str = Field(min_length=10)


class Chronicity(Strict):
    id: Identifier
    label: str
    factor: float = Field(ge=1, le=5)
    description: str


class RelationalItem(Strict):
    id: Identifier
    name: str
    plain_name: str
    description: str
    group: Identifier | None = None
    weight: float = Field(default=1.0, gt=0, le=10)
    anchors: Anchors


class Gate(Strict):
    """Thresholds on current relational health (0-100) for the relational gate."""

    sufficient_min: float = Field(ge=0, le=100)
    marginal_min: float = Field(ge=0, le=100)
    rationale: str

    @model_validator(mode="after")
    def _ordered(self) -> Gate:
        if self.marginal_min > self.sufficient_min:
            raise ValueError("marginal_min must not exceed sufficient_min")
        return self


TransformKind = Literal["exponential", "hyperbolic"]


class Transforms(Strict):
    """Monotone transforms of an unbounded raw load to 0-100.

    ``exponential`` (v1): ``100 * (1 - exp(-raw / scale))``; it saturates, so severe
    histories crowd just below 100. ``hyperbolic`` (v2): ``100 * raw / (raw + scale)``,
    where ``scale`` is the raw load that scores 50; doubling a severe load still moves
    the score by several points.
    """

    kind: TransformKind = "exponential"
    challenges_scale: float = Field(gt=0)
    region_impact_scale: float = Field(gt=0)
    rationale: str

    def formula(self, scale: float) -> str:
        if self.kind == "hyperbolic":
            return f"100 * raw / (raw + {scale:g})"
        return f"100 * (1 - exp(-raw / {scale:g}))"


class ReliabilityFigure(Strict):
    sd: float = Field(gt=0)
    reliability: float = Field(gt=0, lt=1)


class ReferenceProvenance(Strict):
    """Where a reference sample's figures come from, and what they are and are not."""

    command: str = Field(min_length=10)
    instrument_version: str
    generator: str = Field(min_length=10)
    n: int = Field(ge=100)
    seed: int = Field(ge=0)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    sd_is: str = Field(min_length=20)
    r_is: str = Field(min_length=20)


class Reliability(Strict):
    """SD and reliability of each score, for the reliable change index.

    v1 states them in instrument.yaml; from v2 the SDs are measured on a reference sample
    by ``neuroseq instrument reference`` and written to reference.yaml with provenance.
    """

    source: str
    functional_score: ReliabilityFigure
    regions: dict[Identifier, ReliabilityFigure]
    domains: dict[Identifier, ReliabilityFigure]
    provenance: ReferenceProvenance | None = None


class ReferenceFile(Strict):
    """reference.yaml: written by ``neuroseq instrument reference``, never by hand."""

    provenance: ReferenceProvenance
    functional_score: ReliabilityFigure
    regions: dict[Identifier, ReliabilityFigure]
    domains: dict[Identifier, ReliabilityFigure]

    def source(self) -> str:
        p = self.provenance
        return (
            f"SDs measured on a synthetic reference sample ({p.generator}; n = {p.n}, seed "
            f"{p.seed}, {p.date}; `{p.command}`). {p.sd_is} {p.r_is}"
        )

    def reliability(self) -> Reliability:
        return Reliability(
            source=self.source(),
            functional_score=self.functional_score,
            regions=self.regions,
            domains=self.domains,
            provenance=self.provenance,
        )


class AgeEquivalentSettings(Strict):
    """How far an age equivalent can be resolved (v2 on; v1 reads only the top of the norms).

    Beyond the first age at which the typical child's score on the same items takes longer
    than ``resolution_months`` to rise by one rating step, the age equivalent reads "at
    least <that age>" (the ceiling): there one step of one rating would otherwise move the
    age equivalent by years.
    """

    resolution_months: float = Field(gt=0, le=MAX_AGE_MONTHS)
    rationale: str = Field(min_length=20)
    # A domain score this many standard errors of measurement (or fewer) below the typical
    # child's of the same age reads "within the range for age", not as a younger age.
    typical_band_sem: float | None = Field(default=None, gt=0, le=3)
    typical_band_rationale: str | None = Field(default=None, min_length=20)


class PlanSettings(Strict):
    focus_threshold_points: float = Field(gt=0, le=100)
    rationale: str


class Header(Strict):
    name: str
    version: str
    status: str
    disclaimer: str
    license: str
    principles_source: str
    # The one sentence a rater cannot miss: what a status means (v2 on; None in v1, whose
    # anchors mixed absolute and "for age" readings).
    status_meaning: str | None = Field(default=None, min_length=40)


FlagKind = Literal["medical", "safeguarding"]
FLAG_KINDS: tuple[FlagKind, ...] = ("medical", "safeguarding")


class ClinicalFlag(Strict):
    """A yes/no observation the rater ticks that needs action before any activity.

    Medical flags take over what v1 anchors wrote as pathology (e.g. "persistent
    tachycardia"): a status describes maturity only, a flag says "this needs a doctor".
    Safeguarding flags record the child's current situation (e.g. an imminent move).
    """

    id: Identifier
    kind: FlagKind
    function: Identifier | None = None  # the functional-review item it belongs to, if any
    label: str = Field(min_length=5)
    plain_label: str = Field(min_length=5)
    description: str = Field(min_length=20)  # when to tick it
    action: str = Field(min_length=20)  # what the clinician does first
    plain_action: str = Field(min_length=20)  # what the family is told
    source: str = Field(min_length=10)  # source or rationale


class FlagsFile(Strict):
    flags: list[ClinicalFlag] = Field(min_length=1)


class Reference(Strict):
    """A cited study with the population it describes (norms borrowed from it say whose)."""

    citation: str = Field(min_length=20)
    population: str = Field(min_length=10)


class Checkpoint(Strict):
    """A milestone read as the status range a typical child has at that age."""

    function: Identifier
    age_months: float = Field(ge=0, le=MAX_AGE_MONTHS)
    min: float = Field(ge=0, le=3)
    max: float = Field(ge=0, le=3)
    milestone: str = Field(min_length=10)
    source: Identifier

    @model_validator(mode="after")
    def _ordered(self) -> Checkpoint:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not exceed max ({self.max:g})")
        return self


class CheckpointsFile(Strict):
    references: dict[Identifier, Reference] = Field(min_length=1)
    checkpoints: list[Checkpoint] = Field(min_length=1)


class ItemChange(Strict):
    """One item-level change from the previous version: replaced, merged, added or retired."""

    previous: list[Identifier] = []  # ids in the previous version ([] = new item)
    current: Identifier | None = None  # id in this version (None = retired)
    why: str = Field(min_length=20)

    @model_validator(mode="after")
    def _says_something(self) -> ItemChange:
        if not self.previous and self.current is None:
            raise ValueError("give previous ids, a current id or both")
        return self


class Changes(Strict):
    """What changed from ``from_version``: read by ``neuroseq instrument diff`` and the docs."""

    from_version: str
    summary: str = Field(min_length=20)
    items: list[ItemChange] = []


class InstrumentFile(Strict):
    header: Header
    regions: list[Region] = Field(min_length=3)
    domains: list[Domain] = Field(min_length=1)
    status_levels: list[StatusLevel]
    transforms: Transforms
    reliability: Reliability | None = None  # v2 on: reference.yaml instead
    plan: PlanSettings
    age_equivalents: AgeEquivalentSettings | None = None
    changes: Changes | None = None


class FunctionsFile(Strict):
    functions: list[Function] = Field(min_length=1)


class PeriodsFile(Strict):
    periods: list[Period] = Field(min_length=1)


class AdversitiesFile(Strict):
    chronicity: list[Chronicity] = Field(min_length=1)
    types: list[AdversityType] = Field(min_length=1)
    sensitivity_rationale: str
    sensitivity: dict[Identifier, dict[Identifier, float]]


class RelationalFile(Strict):
    history_items: list[RelationalItem] = Field(min_length=1)
    history_period_weights: dict[Identifier, float]
    history_rationale: str
    current_items: list[RelationalItem] = Field(min_length=1)
    current_rationale: str
    gate: Gate
