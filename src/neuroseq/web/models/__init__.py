"""The clinic's data: tenants and people, clients, versioned assessments, the audit trail."""

from neuroseq.web.models.accounts import CareTeam, Membership, Organisation, Role, User
from neuroseq.web.models.assessments import Assessment, AssessmentStatus, ImmutableRecordError
from neuroseq.web.models.audit import AuditChainHead, AuditEvent
from neuroseq.web.models.clients import Client, ClientStatus
from neuroseq.web.models.jobs import Job, JobStatus

__all__ = [
    "Assessment",
    "AssessmentStatus",
    "AuditChainHead",
    "AuditEvent",
    "CareTeam",
    "Client",
    "ClientStatus",
    "ImmutableRecordError",
    "Job",
    "JobStatus",
    "Membership",
    "Organisation",
    "Role",
    "User",
]
