"""The clinic's data: tenants and people, clients, versioned assessments, the audit trail."""

from neuroseq.web.models.accounts import CareTeam, Membership, Organisation, Role, User
from neuroseq.web.models.assessments import Assessment, AssessmentStatus, ImmutableRecordError
from neuroseq.web.models.audit import AuditChainHead, AuditEvent
from neuroseq.web.models.clients import Client, ClientStatus, ViewerKind, ViewerLink
from neuroseq.web.models.workflow import (
    DraftRevision,
    FamilyRelease,
    ReviewOutcome,
    ReviewRound,
)

__all__ = [
    "Assessment",
    "AssessmentStatus",
    "AuditChainHead",
    "AuditEvent",
    "CareTeam",
    "Client",
    "ClientStatus",
    "DraftRevision",
    "FamilyRelease",
    "ImmutableRecordError",
    "Membership",
    "Organisation",
    "ReviewOutcome",
    "ReviewRound",
    "Role",
    "User",
    "ViewerKind",
    "ViewerLink",
]
