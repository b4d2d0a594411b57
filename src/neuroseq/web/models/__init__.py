"""The clinic's data: tenants and people, clients, versioned assessments, the audit trail."""

from neuroseq.web.models.accounts import (
    AccountToken,
    CareTeam,
    Membership,
    Organisation,
    Role,
    TokenPurpose,
    User,
)
from neuroseq.web.models.analytics import AnalyticsSnapshot, StoredScores
from neuroseq.web.models.api_tokens import ApiToken
from neuroseq.web.models.assessments import Assessment, AssessmentStatus, ImmutableRecordError
from neuroseq.web.models.audit import AuditChainHead, AuditCheckpoint, AuditEvent, CheckpointKind
from neuroseq.web.models.clients import Client, ClientStatus, ViewerKind, ViewerLink
from neuroseq.web.models.jobs import Job, JobStatus
from neuroseq.web.models.rendered import RenderedAssessment
from neuroseq.web.models.staffing import Staffing, StaffingRater, StaffingStatus
from neuroseq.web.models.throttle import LoginThrottle
from neuroseq.web.models.training import (
    Certification,
    CertificationLevel,
    VignetteAssignment,
    VignetteAttempt,
)
from neuroseq.web.models.workflow import (
    DraftRevision,
    FamilyRelease,
    ReviewOutcome,
    ReviewRound,
)

__all__ = [
    "AccountToken",
    "AnalyticsSnapshot",
    "ApiToken",
    "Assessment",
    "AssessmentStatus",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditEvent",
    "CareTeam",
    "Certification",
    "CertificationLevel",
    "CheckpointKind",
    "Client",
    "ClientStatus",
    "DraftRevision",
    "FamilyRelease",
    "ImmutableRecordError",
    "LoginThrottle",
    "Job",
    "JobStatus",
    "Membership",
    "Organisation",
    "RenderedAssessment",
    "ReviewOutcome",
    "ReviewRound",
    "StoredScores",
    "Role",
    "Staffing",
    "StaffingRater",
    "StaffingStatus",
    "TokenPurpose",
    "User",
    "ViewerKind",
    "ViewerLink",
    "VignetteAssignment",
    "VignetteAttempt",
]
