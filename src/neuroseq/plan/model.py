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
ReasonKind = Literal[
    "rating", "threshold", "sequence", "age", "catalogue", "dose", "gate", "safety"
]
PhaseStatus = Literal["current", "upcoming", "after_relational_supports"]
FirstStep = Literal[
    "medical_review",
    "safeguarding",
    "rate_first",
    "relational_supports",
    "focus_region",
    "maintain",
]
BlockKind = Literal["medical", "safeguarding", "coverage", "contraindication"]
BlockReasonKind = Literal["flag", "relational", "rating", "history", "coverage"]
FocusRuleKind = Literal["points", "sem"]
UnlockKind = Literal["reliable_improvement", "plateau_documented", "plateau_no_change"]


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
    """One region against the typical child; ``threshold`` is the gap that counts."""

    region: str
    score: float | None
    typical: float | None
    gap: float | None
    below_threshold: bool
    threshold: float | None = None
    # below the typical child by more than behind_z x SEM, though maybe not beyond
    # measurement error (from v2): "no focus" must not read as "typical"
    behind: bool = False


class FocusRule(_Frozen):
    """How "below the typical child" is decided: fixed points (v1) or z x SEM (from v2)."""

    kind: FocusRuleKind
    z: float | None
    text: str


class BlockReason(_Frozen):
    """Why a block is there. ``plain_text`` is None when the reason is for clinicians only
    (for example a concern about current care, which is not written into the family's copy);
    ``plain_action`` is what the caregiver is asked to do about it, when there is something.
    """

    kind: BlockReasonKind
    text: str
    plain_text: str | None
    plain_action: str | None = None
    flag: str | None = None
    item: str | None = None


class Block(_Frozen):
    """Something that comes before any activity: medical review, safeguarding, coverage,
    or a contraindication. Blocks are ordered by that priority; each says why.
    ``teacher_text`` is None when the block is not for teachers."""

    kind: BlockKind
    title: str
    text: str
    plain_title: str
    caregiver_text: str
    teacher_text: str | None
    reasons: list[BlockReason]
    holds: list[str] = []


class Consideration(_Frozen):
    """A prompt for the clinician that the history raises; not shown to the family.
    ``sources`` are full citations."""

    id: str
    text: str
    sources: list[str]


class RegionCoverage(_Frozen):
    region: str
    rated: int
    total: int
    min_rated: int
    ok: bool
    unrated: list[str]


class Coverage(_Frozen):
    """Rated items against the minimums in the rules; ``rate_first`` is what to rate, in order."""

    ok: bool
    regions: list[RegionCoverage]
    first_underrated_region: str | None
    relational_rated: int
    relational_total: int
    relational_min_rated: int
    relational_required_missing: list[str]
    relational_ok: bool
    relational_unrated: list[str]
    rate_first: list[str]


class Unlock(_Frozen):
    """Why a phase runs now although the region below it is still below the typical child."""

    after_region: str
    kind: UnlockKind
    text: str
    rci: float | None = None
    months: float | None = None


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
    held: list[str] = []
    unlocked_by: Unlock | None = None


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
    threshold_points: float | None
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
    blocks: list[Block] = []
    coverage: Coverage | None = None
    focus_rule: FocusRule | None = None
    relational_core: list[Recommendation] = []
    weekly_dose_now: WeeklyDose | None = None
    considerations: list[Consideration] = []

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready plan; the keys are the public contract of ``neuroseq plan --json``."""
        return self.model_dump(mode="json")

    @property
    def current_phase(self) -> Phase | None:
        return self.phases[0] if self.phases else None

    @property
    def refused(self) -> bool:
        """Too little is rated for the plan to say where to start (see ``coverage``)."""
        return self.coverage is not None and not self.coverage.ok and not self.phases

    @property
    def current_phases(self) -> list[Phase]:
        """Phase 1 and every phase unlocked after it: what runs now."""
        return [p for p in self.phases if p.number == 1 or p.unlocked_by is not None]
