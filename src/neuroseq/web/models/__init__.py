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
from neuroseq.web.models.assessments import Assessment, AssessmentStatus, ImmutableRecordError
from neuroseq.web.models.audit import AuditChainHead, AuditEvent
from neuroseq.web.models.clients import Client, ClientStatus
from neuroseq.web.models.throttle import LoginThrottle

__all__ = [
    "AccountToken",
    "Assessment",
    "AssessmentStatus",
    "AuditChainHead",
    "AuditEvent",
    "CareTeam",
    "Client",
    "ClientStatus",
    "ImmutableRecordError",
    "LoginThrottle",
    "Membership",
    "Organisation",
    "Role",
    "TokenPurpose",
    "User",
]
