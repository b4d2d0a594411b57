"""Verify the keyed audit chain, sign checkpoints of its head, re-key old events.

What each check catches (tests/web/test_audit_chain.py runs every attack):

- an event changed in place, forged, or rewritten and re-hashed by anyone without the
  key: its HMAC does not match (``altered``); a forged event after the signed head:
  ``inserted``;
- a deleted event: a gap in ``seq`` (``missing``); removed and renumbered events: a broken
  link (``relinked``, and their HMACs);
- events removed from the end: the signed head says more (``truncated``); a head moved to
  match cannot be re-signed without the key;
- a rewrite by someone who *has* the key: the chain no longer matches a checkpoint exported
  before (``rewritten``), which is why the operator keeps exported checkpoints elsewhere.

Verification is incremental: it starts at the newest checkpoint (exported, or written by an
earlier successful check) and checks at most ``NEUROSEQ_AUDIT_VERIFY_LIMIT`` events per
call, writing a new "verified" checkpoint where it stopped, so the next call continues from
there. ``verify_full`` re-reads everything from the first event and compares every
checkpoint, including lines from the operator's exported file; it is what the scheduled
``manage.py audit_verify`` runs (and where a background job belongs).
``verify_for_organisation`` is what an organisation admin sees: only their organisation's
numbers, and no detail about anyone else's events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from neuroseq.web import triggers
from neuroseq.web.models import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    CheckpointKind,
    Organisation,
)
from neuroseq.web.services.audit import (
    GENESIS,
    Actor,
    audit_key,
    event_hash,
    head_mac,
    record,
    sign_head,
)

log = logging.getLogger("neuroseq.audit")
checkpoint_log = logging.getLogger("neuroseq.audit.checkpoint")

CHECKPOINT_FORMAT = "neuroseq.audit-checkpoint/1"


@dataclass(frozen=True)
class Problem:
    kind: str
    seq: int | None
    message: str
    organisation_id: int | None = None


@dataclass
class ChainReport:
    start_seq: int
    end_seq: int = 0
    end_hash: str = GENESIS
    checked: int = 0
    organisation_checked: int = 0
    complete: bool = True
    since: datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> str | None:
        return self.problems[0].message if self.problems else None


def current_key_id() -> str:
    return str(settings.NEUROSEQ_AUDIT_KEY_ID)


def disable_triggers_sql(vendor: str) -> list[str]:
    return triggers.suspend_sql(vendor)


def enable_triggers_sql(vendor: str) -> list[str]:
    return triggers.restore_sql(vendor)


# -- checkpoints ----------------------------------------------------------------------------


def _checkpoint_fields(line: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "format": CHECKPOINT_FORMAT,
        "seq": line["seq"],
        "hash": line["hash"],
        "created_at": line["created_at"],
        "kind": line["kind"],
        "key_id": line["key_id"],
    }


def _sign(fields: Mapping[str, Any]) -> str:
    text = json.dumps(dict(fields), sort_keys=True, separators=(",", ":"))
    key = audit_key(str(fields["key_id"]))
    return hmac.new(key, f"neuroseq.audit-checkpoint|{text}".encode(), hashlib.sha256).hexdigest()


def checkpoint_line(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """The checkpoint as the JSON object an operator keeps (one line of a .jsonl file)."""
    fields = _checkpoint_fields(
        {
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "created_at": checkpoint.created_at.isoformat(),
            "kind": checkpoint.kind,
            "key_id": checkpoint.key_id,
        }
    )
    return {**fields, "signature": checkpoint.signature}


def checkpoint_signature_ok(line: Mapping[str, Any]) -> bool:
    try:
        fields = _checkpoint_fields(line)
        expected = _sign(fields)
    except (KeyError, TypeError):
        return False
    return line.get("format") == CHECKPOINT_FORMAT and hmac.compare_digest(
        str(line.get("signature", "")), expected
    )


def _new_checkpoint(seq: int, hash_: str, kind: str) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint(
        seq=seq, hash=hash_, created_at=timezone.now(), kind=kind, key_id=current_key_id()
    )
    checkpoint.signature = _sign(
        _checkpoint_fields(
            {
                "seq": seq,
                "hash": hash_,
                "created_at": checkpoint.created_at.isoformat(),
                "kind": kind,
                "key_id": checkpoint.key_id,
            }
        )
    )
    checkpoint.save(force_insert=True)
    return checkpoint


def export_checkpoint(actor: Actor) -> dict[str, Any]:
    """Verify since the last checkpoint, then sign the head and return the line to keep.

    Refuses (ValueError) when the chain does not verify: signing a tampered head would
    vouch for it. The line is also logged (``neuroseq.audit.checkpoint``), so a log
    collector keeps a copy, and the export is itself an audit event.
    """
    report = verify_incremental(limit=0)
    if not report.ok:
        raise ValueError(report.problem)
    checkpoint = _new_checkpoint(report.end_seq, report.end_hash, CheckpointKind.EXPORT)
    line = checkpoint_line(checkpoint)
    checkpoint_log.warning("%s", json.dumps(line, sort_keys=True))
    record(actor, "audit.checkpoint", details={"seq": checkpoint.seq})
    return line


# -- the walk -------------------------------------------------------------------------------


def _head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(id=1).first()


def _head_signed(head: AuditChainHead) -> bool:
    if head.seq == 0 and head.hash == GENESIS:
        return True  # nothing written yet
    if not head.key_id or head.key_id not in settings.NEUROSEQ_AUDIT_KEYS:
        return False
    return hmac.compare_digest(head.mac, head_mac(head.seq, head.hash, head.key_id))


def _event_problem(event: AuditEvent, expected_prev: str, *, legacy_ok: bool) -> Problem | None:
    org = event.organisation_id
    if event.prev_hash != expected_prev:
        return Problem(
            "relinked",
            event.seq,
            f"event #{event.seq} does not follow event #{event.seq - 1}: events before it "
            "were removed or reordered and the rest renumbered",
            org,
        )
    if not event.key_id and not legacy_ok:
        return Problem(
            "unkeyed",
            event.seq,
            f"event #{event.seq} is not signed with an audit key (written before keys "
            "existed); run `manage.py audit_rekey` once",
            org,
        )
    if event.key_id and event.key_id not in settings.NEUROSEQ_AUDIT_KEYS:
        return Problem(
            "unknown_key",
            event.seq,
            f"event #{event.seq} was signed with key {event.key_id!r}, which this server does "
            "not have (add it to NEUROSEQ_AUDIT_KEYS)",
            org,
        )
    if not hmac.compare_digest(event.hash, event_hash(event.prev_hash, event)):
        return Problem(
            "altered",
            event.seq,
            f"event #{event.seq} was altered or forged: its content does not match its HMAC "
            "signature (a rewrite re-hashed without the audit key looks like this too)",
            org,
        )
    return None


def _walk(
    report: ChainReport,
    expected_prev: str,
    *,
    stop_seq: int,
    organisation_id: int | None,
    legacy_ok: bool = False,
) -> None:
    """Check events ``report.start_seq``..``stop_seq``; stop at the first problem."""
    expected_seq = report.start_seq
    report.end_seq, report.end_hash = expected_seq - 1, expected_prev
    if stop_seq < expected_seq:
        return
    events = (
        AuditEvent.objects.filter(seq__gte=expected_seq, seq__lte=stop_seq)
        .order_by("seq")
        .iterator(chunk_size=2000)
    )
    for event in events:
        if event.seq != expected_seq:
            report.problems.append(
                Problem(
                    "missing",
                    expected_seq,
                    f"event #{expected_seq} is missing: it was deleted"
                    if event.seq == expected_seq + 1
                    else f"events #{expected_seq} to #{event.seq - 1} are missing: deleted",
                )
            )
            return
        problem = _event_problem(event, expected_prev, legacy_ok=legacy_ok)
        if problem is not None:
            report.problems.append(problem)
            return
        report.checked += 1
        if organisation_id is not None and event.organisation_id == organisation_id:
            report.organisation_checked += 1
        expected_prev, expected_seq = event.hash, expected_seq + 1
        report.end_seq, report.end_hash = event.seq, event.hash


def _check_head(report: ChainReport, head: AuditChainHead | None, *, legacy_ok: bool) -> None:
    """After a walk that reached the head: the head is signed and is where the walk ended."""
    if head is None:
        if report.end_seq:
            report.problems.append(
                Problem("truncated", None, "the chain head is missing: it was deleted")
            )
        return
    if not (legacy_ok and not head.mac) and not _head_signed(head):
        report.problems.append(
            Problem(
                "truncated",
                None,
                "the chain head's signature does not match: the head was moved (events "
                "removed from or added to the end of the chain)",
            )
        )
        return
    if report.end_seq < head.seq:
        report.problems.append(
            Problem(
                "truncated",
                report.end_seq + 1,
                f"events after #{report.end_seq} are missing: the chain was truncated (the "
                f"signed head is #{head.seq})",
            )
        )
    elif report.end_hash != head.hash:
        report.problems.append(
            Problem(
                "truncated",
                head.seq,
                f"event #{head.seq} is not the one the signed head records: the end of the "
                "chain was replaced",
            )
        )


def _check_beyond(report: ChainReport, head: AuditChainHead | None) -> None:
    """Events after the head we started from: new writes (fine) or insertions."""
    if head is None:
        return
    beyond = AuditEvent.objects.filter(seq__gt=head.seq).order_by("seq").first()
    if beyond is None:
        return
    now = _head()
    if now is not None and _head_signed(now) and now.seq >= beyond.seq:
        return  # written while we were checking; the next check covers it
    report.problems.append(
        Problem(
            "inserted",
            beyond.seq,
            f"event #{beyond.seq} was added after the signed head #{head.seq}: inserted "
            "without the audit key",
            beyond.organisation_id,
        )
    )


def _last_rekey_time() -> datetime | None:
    event = AuditEvent.objects.filter(action="audit.rekey").order_by("-seq").first()
    return event.created_at if event is not None else None


def _compare_checkpoint(
    report: ChainReport, line: Mapping[str, Any], source: str, rekeyed: datetime | None
) -> None:
    if not checkpoint_signature_ok(line):
        report.problems.append(
            Problem(
                "forged_checkpoint",
                line.get("seq") if isinstance(line.get("seq"), int) else None,
                f"{source}: the checkpoint's signature does not match: it was not made by "
                "this server with these keys, or it was edited",
            )
        )
        return
    created = datetime.fromisoformat(str(line["created_at"]))
    if rekeyed is not None and created < rekeyed:
        report.notes.append(
            f"{source}: made before the chain was re-keyed on {rekeyed:%Y-%m-%d}; compare it "
            "with the old head recorded in the audit.rekey event"
        )
        return
    stored = AuditEvent.objects.filter(seq=line["seq"]).values_list("hash", flat=True).first()
    if stored is None:
        report.problems.append(
            Problem(
                "truncated",
                int(line["seq"]),
                f"{source}: event #{line['seq']} of the checkpoint of {created:%Y-%m-%d %H:%M} "
                "no longer exists: the chain was truncated",
            )
        )
    elif stored != line["hash"]:
        report.problems.append(
            Problem(
                "rewritten",
                int(line["seq"]),
                f"{source}: event #{line['seq']} differs from the checkpoint of "
                f"{created:%Y-%m-%d %H:%M}: the history up to it was rewritten (and re-signed)",
            )
        )


def verify_full(external: Iterable[Mapping[str, Any]] = ()) -> ChainReport:
    """Everything from the first event, every stored checkpoint, and ``external`` lines."""
    head = _head()
    report = ChainReport(start_seq=1)
    stop = head.seq if head is not None else AuditEvent.objects.count()
    _walk(report, GENESIS, stop_seq=stop, organisation_id=None)
    if report.ok:
        _check_head(report, head, legacy_ok=False)
    if report.ok:
        _check_beyond(report, head)
    rekeyed = _last_rekey_time()
    for checkpoint in AuditCheckpoint.objects.order_by("seq", "id"):
        _compare_checkpoint(
            report, checkpoint_line(checkpoint), f"stored checkpoint {checkpoint.pk}", rekeyed
        )
    for number, line in enumerate(external, start=1):
        _compare_checkpoint(report, line, f"checkpoint line {number}", rekeyed)
    return report


def verify_incremental(limit: int | None = None, organisation_id: int | None = None) -> ChainReport:
    """From the newest checkpoint, at most ``limit`` events (0: no limit; None: the
    ``NEUROSEQ_AUDIT_VERIFY_LIMIT`` setting). A clean run writes a "verified" checkpoint
    where it stopped, so the next run starts there."""
    if limit is None:
        limit = settings.NEUROSEQ_AUDIT_VERIFY_LIMIT
    head = _head()
    start = AuditCheckpoint.objects.order_by("-seq", "-id").first()
    report = ChainReport(start_seq=1)
    expected_prev = GENESIS
    if start is not None:
        report.since = start.created_at
        _compare_checkpoint(report, checkpoint_line(start), "the newest checkpoint", None)
        if not report.ok:
            return report
        report.start_seq, expected_prev = start.seq + 1, start.hash
    head_seq = head.seq if head is not None else 0
    stop = head_seq if not limit else min(head_seq, report.start_seq + limit - 1)
    _walk(report, expected_prev, stop_seq=stop, organisation_id=organisation_id)
    report.complete = stop >= head_seq
    if report.ok and report.complete:
        _check_head(report, head, legacy_ok=False)
        if report.ok:
            _check_beyond(report, head)
    if report.ok and report.end_seq >= report.start_seq:
        _new_checkpoint(report.end_seq, report.end_hash, CheckpointKind.VERIFIED)
    if not report.ok:
        for problem in report.problems:
            log.error(
                "audit chain problem (%s at #%s): %s", problem.kind, problem.seq, problem.message
            )
    return report


@dataclass(frozen=True)
class OrganisationReport:
    ok: bool
    complete: bool
    message: str


OUTSIDE = (
    "A problem was found in the audit chain outside your organisation's events. "
    "The platform operator has been alerted."
)
UNATTRIBUTED = (
    "A problem was found in the audit chain that cannot be tied to one organisation "
    "(events were removed or added). The platform operator has been alerted."
)


def verify_for_organisation(
    organisation: Organisation, limit: int | None = None
) -> OrganisationReport:
    """The check an organisation admin runs: their numbers only, nobody else's details.
    ``limit`` as for :func:`verify_incremental` (the background job passes 0: no limit)."""
    report = verify_incremental(limit=limit, organisation_id=organisation.pk)
    if not report.ok:
        problem = report.problems[0]
        if problem.organisation_id == organisation.pk:
            message = f"Hash chain broken at one of your organisation's events: {problem.message}."
        elif problem.organisation_id is not None:
            message = OUTSIDE
        else:
            message = UNATTRIBUTED
        return OrganisationReport(False, report.complete, message)
    since = (
        f"since the checkpoint of {report.since:%Y-%m-%d %H:%M} UTC "
        "(older events were checked then)"
        if report.since is not None
        else "from the first event"
    )
    if report.complete:
        message = (
            f"Hash chain intact: {report.organisation_checked} events of your organisation "
            f"checked {since}."
        )
    else:
        message = (
            f"Hash chain intact so far: {report.organisation_checked} events of your "
            f"organisation checked {since}; more remain. Check again to continue."
        )
    return OrganisationReport(True, report.complete, message)


# -- re-keying ------------------------------------------------------------------------------


def resign_from(seq: int) -> int:
    """Re-sign events from ``seq`` to the end with the current key, relinking each to the
    one before, and re-sign the head. The caller holds the head lock and has suspended the
    triggers. Returns how many events were re-signed."""
    before = AuditEvent.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    prev = before if before is not None else GENESIS
    count = 0
    key_id = current_key_id()
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq").iterator(2000):
            event.prev_hash, event.key_id = prev, key_id
            event.hash = event_hash(prev, event)
            cursor.execute(
                "UPDATE clinic_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
                [event.prev_hash, event.hash, key_id, event.pk],
            )
            prev, count = event.hash, count + 1
    head = AuditChainHead.objects.select_for_update().get(id=1)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    sign_head(head, last, prev)
    return count


class RekeyRefused(Exception):
    pass


def rekey(actor: Actor) -> int:
    """Re-sign every event not signed with the current key (legacy SHA-256 events after the
    upgrade, or events under a retired key), after checking the chain as it stands.

    Recorded in the chain as ``audit.rekey`` with the old head, so an operator can match
    checkpoints exported before. Returns how many events were re-signed (0: nothing to do).
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        first = (
            AuditEvent.objects.exclude(key_id=current_key_id())
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        if first is None and (head is None or _head_signed(head)):
            return 0
        report = ChainReport(start_seq=1)
        _walk(
            report, GENESIS, stop_seq=head.seq if head else 0, organisation_id=None, legacy_ok=True
        )
        if report.ok:
            _check_head(report, head, legacy_ok=True)
        if not report.ok:
            raise RekeyRefused(report.problem)
        old_head = {"seq": report.end_seq, "hash": report.end_hash}
        from_keys = sorted(
            set(
                AuditEvent.objects.exclude(key_id=current_key_id()).values_list("key_id", flat=True)
            )
        )
        vendor = connection.vendor
        with connection.cursor() as cursor:
            for sql in triggers.suspend_sql(vendor):
                cursor.execute(sql)
        count = resign_from(first if first is not None else report.end_seq + 1)
        with connection.cursor() as cursor:
            for sql in triggers.restore_sql(vendor):
                cursor.execute(sql)
        event = record(
            actor,
            "audit.rekey",
            details={
                "events": count,
                "from_keys": [k or "unkeyed SHA-256" for k in from_keys],
                "to_key": current_key_id(),
                "old_head": old_head,
            },
        )
        _new_checkpoint(event.seq, event.hash, CheckpointKind.REKEY)
    return count
