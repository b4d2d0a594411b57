"""Audit-chain verification: the full check vs the incremental one the audit page runs.

The review measured 40-63 s to verify a million events in one request. The page now checks
from the newest checkpoint, at most NEUROSEQ_AUDIT_VERIFY_LIMIT events per request. This
builds a chain of N events in a throw-away SQLite database, then times a full check and an
incremental check of the last 1,000 events after a checkpoint, and prints their ratio
(measured in this run on this machine; asserts nothing).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
NEW = 1_000


def main() -> None:
    var = tempfile.mkdtemp(prefix="neuroseq-bench-")
    os.environ.update(
        NEUROSEQ_VAR_DIR=var,
        DJANGO_SETTINGS_MODULE="neuroseq.web.settings",
        DATABASE_URL=f"sqlite:///{var}/bench.sqlite3",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from neuroseq.web.models import AuditChainHead, AuditEvent
    from neuroseq.web.services import audit_chain
    from neuroseq.web.services.audit import GENESIS, event_hash, sign_head

    call_command("migrate", verbosity=0)
    key_id = audit_chain.current_key_id()

    def append(count: int) -> None:
        """Events as record() writes them, in bulk (the benchmark times reading, not writing)."""
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().get(id=1)
            seq, prev, batch = head.seq, head.hash or GENESIS, []
            for n in range(count):
                seq += 1
                event = AuditEvent(
                    seq=seq,
                    created_at=timezone.now(),
                    actor_label="system:bench",
                    action="bench.event",
                    details={"n": n},
                    prev_hash=prev,
                    key_id=key_id,
                )
                event.hash = prev = event_hash(prev, event)
                batch.append(event)
            AuditEvent.objects.bulk_create(batch, batch_size=5000)
            sign_head(head, seq, prev)

    append(N)
    start = time.perf_counter()
    full = audit_chain.verify_full()
    full_s = time.perf_counter() - start
    assert full.ok, full.problem
    audit_chain.verify_incremental(limit=0)  # writes the checkpoint the page starts from
    append(NEW)
    start = time.perf_counter()
    incremental = audit_chain.verify_incremental()
    incremental_s = time.perf_counter() - start
    assert incremental.ok and incremental.checked == NEW, incremental.problem
    print(f"audit chain of {N + NEW:,} events (SQLite, this machine)")
    print(f"  full check from the first event      {full_s:8.2f} s")
    print(f"  incremental check of the last {NEW:,}  {incremental_s:8.3f} s")
    print(f"  full / incremental                   {full_s / incremental_s:8.0f}x")
    print(f"  full check per million events        {full_s / N * 1e6:8.1f} s")
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
