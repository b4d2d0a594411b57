"""Pydantic schema of the training data: vignettes with expert keys, and the certification rule.

Vignettes and the rule are data, like the instrument: a clinic reads, cites and (as a new
version) changes them. A broken file fails at load time naming the file, field and problem.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=48)]
LevelId = Literal["rater", "staffing_lead", "trainer"]
MIN_AGE_MONTHS = 24  # training cases cover ages 2 to 17
MAX_AGE_MONTHS = 215


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyRating(Strict):
    status: Literal[0, 1, 2, 3]
    reasoning: str = Field(min_length=20)


class Vignette(Strict):
    """One synthetic training case: what a rater reads, and what the expert key says."""

    id: Identifier
    version: int = Field(ge=1)
    instrument_version: str
    synthetic: Literal[True]
    title: str = Field(min_length=5)
    pattern: str = Field(min_length=5)
    age_months: int = Field(ge=MIN_AGE_MONTHS, le=MAX_AGE_MONTHS)
    history: str = Field(min_length=200)
    functional_description: str = Field(min_length=400)
    key: dict[Identifier, KeyRating]
    key_author: str = Field(min_length=5)

    @property
    def age_label(self) -> str:
        years, months = divmod(self.age_months, 12)
        return f"{years} years {months} months" if months else f"{years} years"

    @property
    def description_paragraphs(self) -> list[str]:
        """The functional description's paragraphs (blank lines in the YAML file)."""
        return [p.strip() for p in self.functional_description.split("\n") if p.strip()]

    @property
    def key_statuses(self) -> dict[str, int]:
        return {fid: k.status for fid, k in self.key.items()}


class LevelRule(Strict):
    """What one certification level asks of a candidate's vignette attempts."""

    id: LevelId
    rank: int = Field(ge=1, le=3)
    label: str
    description: str = Field(min_length=20)
    requires_level: LevelId | None  # a valid certificate at this level must be held first
    consecutive: int = Field(ge=1, le=10)
    min_icc_a1: float = Field(gt=0, le=1)
    min_within_one: float = Field(ge=0, le=1)


class CertificationRules(Strict):
    version: str
    expiry_months: int = Field(ge=1, le=60)
    renewal_window_days: int = Field(ge=1, le=365)
    window_months: int = Field(ge=1, le=60)  # attempts older than this do not count
    repeat_after_months: int = Field(ge=1, le=60)  # a repeat sooner is practice only
    rationale: str = Field(min_length=50)
    bootstrap: str = Field(min_length=50)
    levels: list[LevelRule] = Field(min_length=1)
    explanations: dict[Identifier, str]  # plain words for each figure a trainee sees
    #: A key whose most common status covers at least this share of items has too little
    #: spread for ICC and kappa to be stable; the result page leads with exact/within-one.
    unstable_key_share: float = Field(ge=0.5, le=1.0)
    unstable_key_rationale: str = Field(min_length=50)

    @model_validator(mode="after")
    def _ranks_follow_requirements(self) -> CertificationRules:
        ids = [lv.id for lv in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError("levels: each level id may appear once")
        ranks = {lv.id: lv.rank for lv in self.levels}
        for lv in self.levels:
            if lv.requires_level is None:
                continue
            if lv.requires_level not in ranks:
                raise ValueError(f"levels.{lv.id}.requires_level: unknown level")
            if ranks[lv.requires_level] >= lv.rank:
                raise ValueError(f"levels.{lv.id}.requires_level: must be a lower rank")
        return self

    def level(self, level_id: str) -> LevelRule:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(level_id)
