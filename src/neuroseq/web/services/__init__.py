"""The only writers. Each function checks the actor's role, changes the data in one
transaction and writes the matching AuditEvent in that same transaction.

Bad input raises ``django.core.exceptions.ValidationError`` keyed by field name (and
changes nothing); a forbidden action raises ``neuroseq.web.permissions.NotAllowed``.
"""
