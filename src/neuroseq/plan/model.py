"""The plan as typed data: what the engine returns and what ``neuroseq plan --json`` prints.

Every model is frozen; ``Plan.to_dict()`` is the JSON contract shared by the CLI, the web
pages and the reports, so they always agree.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from neuroseq.instrument.activities import Deliverer, Setting

PLAN_FORMAT = "neuroseq.plan/1"

Gate = Literal["sufficient", "marginal", "insufficient", "not_rated"]
ReasonKind = Literal["rating", "threshold", "sequence", "age", "catalogue", "dose", "gate"]
PhaseStatus = Literal["current", "upcoming", "after_relational_supports"]
FirstStep = Literal["relational_supports", "focus_region", "maintain"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reason(_Frozen):
    """One line of why: ``kind`` says which evidence (rating, rule, threshold, tag...)."""

    kind: ReasonKind
    text: str


class FunctionTarget(_Frozen):
    """A function that must improve, and to what status, for the plan to move on."""

    function: str
    name: str
    plain_name: str
    current: int | None
    typical_status: float
    target: int


class RegionReview(_Frozen):
    region: str
    score: float | None
    typical: float | None
    gap: float | None
    below_threshold: bool


class Dose(_Frozen):
    days_per_week: int
    episodes_per_day: int
    minutes_per_episode: int
    episodes_per_week: int
    minutes_per_week: int
    plain: str


class Recommendation(_Frozen):
    activity: str
    name: str
    plain_name: str
    plain_description: str
    stage: str
    setting: Setting
    delivered_by: Deliverer
    other_settings: list[Setting]
    others_who_can_deliver: list[Deliverer]
    dosage: Dose
    targets: list[str]
    reasons: list[Reason]
    sources: list[str]


class WeeklyDose(_Frozen):
    """The repetition a phase gives: many short episodes across the therapeutic web."""

    episodes_per_week: int
    minutes_per_week: int
    average_episodes_per_day: float
    daily_episodes_goal: int
    meets_daily_goal: bool
    episodes_by_setting: dict[str, int]
    episodes_by_delivered_by: dict[str, int]


class EntryCriteria(_Frozen):
    summary: str
    after_region: str | None
    functions: list[FunctionTarget]
    relational_health_min: float | None


class Phase(_Frozen):
    number: int
    region: str
    status: PhaseStatus
    developmental_age_months: dict[str, float]
    developmental_age_basis: str
    entry_criteria: EntryCriteria
    compromised: list[FunctionTarget]
    recommendations: list[Recommendation]
    weekly_dose: WeeklyDose
    notes: list[str]


class RelationalAction(_Frozen):
    action: str
    item: str
    item_rating: int | None
    name: str
    plain_name: str
    description: str
    plain_description: str
    delivered_by: list[Deliverer]


class RelationalSupports(_Frozen):
    gate: Gate
    score: float | None
    sufficient_min: float
    marginal_min: float
    comes_first: bool
    statement: str
    actions: list[RelationalAction]
    sources: list[str]


class Strength(_Frozen):
    function: str
    region: str
    name: str
    plain_name: str
    status: int
    typical_status: float
    why: str


class NextPhaseWhen(_Frozen):
    summary: str
    next_region: str | None
    functions: list[FunctionTarget]
    relational_health_min: float | None


class Plan(_Frozen):
    format: str = PLAN_FORMAT
    instrument_version: str
    catalogue_version: str
    synthetic: bool
    pseudonym: str | None
    chronological_age_months: float
    threshold_points: float
    focus_region: str | None
    relational_gate: Gate
    first_step: FirstStep
    relational_supports: RelationalSupports
    regions: list[RegionReview]
    phases: list[Phase]
    weekly_dose: WeeklyDose | None
    next_phase_when: NextPhaseWhen
    strengths: list[Strength]
    not_rated: list[str]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plan; the keys are the public contract of ``neuroseq plan --json``."""
        return self.model_dump(mode="json")

    @property
    def current_phase(self) -> Phase | None:
        return self.phases[0] if self.phases else None
