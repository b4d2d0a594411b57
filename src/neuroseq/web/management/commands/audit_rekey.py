"""``manage.py audit_rekey``: sign old events with the current audit key.

Needed once after upgrading a database whose events predate the keyed chain (they carry
unkeyed SHA-256 hashes), and after retiring a key. It checks the chain as it stands first
and refuses if it does not verify, re-signs the events in one transaction, and records
``audit.rekey`` (with the old head) in the chain itself. Run it as the database owner: it
steps around the append-only triggers for that transaction. Export a checkpoint afterwards.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from neuroseq.web.services import audit_chain
from neuroseq.web.services.audit import Actor


class Command(BaseCommand):
    help = "Re-sign events not signed with the current audit key (recorded in the chain)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = audit_chain.rekey(Actor.system("audit_rekey"))
        except audit_chain.RekeyRefused as exc:
            raise CommandError(
                f"the audit chain does not verify; nothing was re-keyed: {exc}"
            ) from None
        if count == 0:
            self.stdout.write("every event is signed with the current key: nothing to re-key")
        else:
            self.stdout.write(
                f"re-keyed {count} events with key {audit_chain.current_key_id()!r}; "
                "now run `manage.py audit_checkpoint` and keep its line"
            )
