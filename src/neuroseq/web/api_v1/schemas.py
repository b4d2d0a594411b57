"""Request and response bodies of API v1."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class ClientOut(Schema):
    id: int
    display_id: str
    care_team: str
    status: str
    synthetic: bool

    @staticmethod
    def resolve_care_team(obj: Any) -> str:
        return str(obj.care_team.name)


class AssessmentSummary(Schema):
    id: int
    client_id: int
    version: int
    status: str
    assessment_date: date
    instrument_version: str
    synthetic: bool
    supersedes_id: int | None
    etag: str

    @staticmethod
    def resolve_etag(obj: Any) -> str:
        from neuroseq.web.api_v1.drafts import etag

        return etag(obj)


class ClientDetail(ClientOut):
    birth_date: date
    assessments: list[AssessmentSummary]

    @staticmethod
    def resolve_assessments(obj: Any) -> list[Any]:
        return list(obj.assessments.order_by("-assessment_date", "-version"))


class AssessmentOut(AssessmentSummary):
    amendment_reason: str
    signed_by: str | None
    signed_at: datetime | None
    inputs: dict[str, Any]
    scores: dict[str, Any]

    @staticmethod
    def resolve_signed_by(obj: Any) -> str | None:
        return obj.signed_by.email if obj.signed_by_id else None


class DraftIn(Schema):
    inputs: dict[str, Any] = Field(
        description="the assessment in the neuroseq.assessment/1 format (`neuroseq schema`); "
        "the client's pseudonym and birth date are filled in from the record"
    )


class AmendIn(Schema):
    reason: str = Field(min_length=1, max_length=1000, description="what is corrected and why")


class ScoresOut(Schema):
    assessment_id: int
    status: str
    instrument_version: str
    scores: dict[str, Any]


class PlanOut(Schema):
    assessment_id: int
    audience: str
    plan: dict[str, Any]
    text: str
