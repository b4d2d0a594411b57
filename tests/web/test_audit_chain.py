"""The keyed audit chain (issue 10, finding 4).

The review rewrote an actor, removed two events and recomputed every hash with the app's
own ``event_hash``: the chain still verified "intact". Deleting the last events and moving
the head passed too; a raw DELETE of a signed assessment was allowed; the check ran over
every event in the request and showed every organisation's count to any admin.

Now each event carries an HMAC-SHA256 with a key the database does not hold, the head is
signed too, signed checkpoints of the head are exported for the operator to keep
elsewhere, triggers refuse DELETE, and verification runs from the last checkpoint and
reports to an organisation admin only about their organisation. Each attack below is
detected and named.
"""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from neuroseq.web.models import (
    Assessment,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    Role,
)
from neuroseq.web.services import audit_chain
from neuroseq.web.services.audit import GENESIS, Actor, record, verify_chain

from .helpers import sign_in


def _sha256_rehash(prev_hash, event):
    """What the old, unkeyed chain computed (the attacker's tool in the review)."""
    payload = {
        "seq": event["seq"],
        "created_at": event["created_at"],
        "actor_id": event["actor_id"],
        "actor_label": event["actor_label"],
        "organisation_id": event["organisation_id"],
        "action": event["action"],
        "object_type": event["object_type"],
        "object_id": event["object_id"],
        "client_id": event["client_id"],
        "ip_address": event["ip_address"],
        "details": event["details"],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


class Tamper:
    """Raw SQL through the app's connection, with the append-only triggers out of the way
    (as a database owner could), inside a transaction the test rolls back."""

    def __init__(self):
        self.cursor = connection.cursor()
        for statement in audit_chain.disable_triggers_sql(connection.vendor):
            self.cursor.execute(statement)

    def sql(self, statement, params=()):
        self.cursor.execute(statement, params)

    def rows(self):
        self.cursor.execute(
            "SELECT id, seq, created_at, actor_id, actor_label, organisation_id, action, "
            "object_type, object_id, client_id, ip_address, details FROM clinic_auditevent "
            "ORDER BY seq"
        )
        names = [c[0] for c in self.cursor.description]
        for row in self.cursor.fetchall():
            item = dict(zip(names, row, strict=True))
            event = AuditEvent.objects.get(pk=item["id"])
            item["created_at"] = event.created_at.isoformat()
            item["details"] = event.details
            yield item


@pytest.fixture
def events(world):
    for n in range(6):
        record(
            Actor(world.user(Role.SUPERVISOR), "supervisor@alpha.example"),
            "test.event",
            details={"n": n},
        )
    assert verify_chain().ok
    return AuditEvent.objects.count()


def problems(report):
    return [(p.kind, p.seq) for p in report.problems]


def test_an_intact_chain_verifies(events):
    report = verify_chain()
    assert report.ok and report.checked == events and report.problems == []


def test_rewrite_and_rehash_without_the_key_is_detected_and_named(events):
    """The review's attack: rewrite an actor, drop two events, re-hash with SHA-256."""
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql(
            "UPDATE clinic_auditevent SET actor_label = 'someone@else.example' WHERE seq = 3"
        )
        tamper.sql("DELETE FROM clinic_auditevent WHERE seq IN (5, 6)")
        prev, seq = GENESIS, 0
        for row in list(tamper.rows()):
            seq += 1
            row["seq"] = seq
            new_hash = _sha256_rehash(prev, row)
            tamper.sql(
                "UPDATE clinic_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [seq, prev, new_hash, row["id"]],
            )
            prev = new_hash
        tamper.sql("UPDATE clinic_auditchainhead SET seq = %s, hash = %s", [seq, prev])
        report = verify_chain()
        transaction.set_rollback(True)
    assert not report.ok
    assert problems(report)[0] == ("altered", 1)
    assert "does not match its HMAC signature" in report.problem


def test_rewrite_and_rehash_with_the_key_is_caught_by_the_exported_checkpoint(events, tmp_path):
    """Someone holding the key can re-sign a rewritten chain; the checkpoint exported
    before (kept outside the database) still shows the history changed."""
    out = tmp_path / "checkpoints.jsonl"
    call_command("audit_checkpoint", "--output", str(out), stdout=io.StringIO())
    exported = json.loads(out.read_text().splitlines()[-1])
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql(
            "UPDATE clinic_auditevent SET actor_label = 'someone@else.example' WHERE seq = 2"
        )
        audit_chain.resign_from(2)  # what an insider with the key could do
        report = audit_chain.verify_full(external=[exported])
        transaction.set_rollback(True)
    assert not report.ok
    kind, seq = problems(report)[-1]
    assert kind == "rewritten" and seq == exported["seq"]
    assert "differs from the checkpoint" in report.problems[-1].message


def test_truncation_is_detected_and_named(events):
    with transaction.atomic():
        tamper = Tamper()
        last = AuditEvent.objects.order_by("-seq").first()
        tamper.sql("DELETE FROM clinic_auditevent WHERE seq >= %s", [last.seq - 1])
        keep = AuditEvent.objects.get(seq=last.seq - 2)
        tamper.sql("UPDATE clinic_auditchainhead SET seq = %s, hash = %s", [keep.seq, keep.hash])
        moved_head = verify_chain()
        transaction.set_rollback(True)
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql("DELETE FROM clinic_auditevent WHERE seq = %s", [last.seq])
        head_left = verify_chain()
        transaction.set_rollback(True)
    assert problems(moved_head) == [("truncated", None)]
    assert "head" in moved_head.problem and "signature" in moved_head.problem
    assert problems(head_left) == [("truncated", last.seq)]
    assert f"events after #{last.seq - 1} are missing" in head_left.problem


def test_insertion_is_detected_and_named(events):
    head = AuditChainHead.objects.get()
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql(
            "INSERT INTO clinic_auditevent (seq, created_at, actor_label, action, object_type, "
            "object_id, details, prev_hash, hash, key_id) "
            "VALUES (%s, %s, %s, %s, '', '', %s, %s, %s, %s)",
            [
                head.seq + 1,
                "2026-01-01T00:00:00+00:00",
                "supervisor@alpha.example",
                "assessment.sign",
                "{}",
                head.hash,
                "f" * 64,
                audit_chain.current_key_id(),
            ],
        )
        report = verify_chain()
        transaction.set_rollback(True)
    assert problems(report)[0] == ("inserted", head.seq + 1)
    assert "after the signed head" in report.problem


def test_deletion_is_detected_and_named(events):
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql("DELETE FROM clinic_auditevent WHERE seq = 3")
        report = verify_chain()
        transaction.set_rollback(True)
    assert problems(report)[0] == ("missing", 3)
    assert "event #3 is missing" in report.problem


def test_a_changed_event_is_named_even_with_its_hash_left_alone(events):
    with transaction.atomic():
        tamper = Tamper()
        tamper.sql("UPDATE clinic_auditevent SET action = 'nothing.happened' WHERE seq = 4")
        report = verify_chain()
        transaction.set_rollback(True)
    assert problems(report)[0] == ("altered", 4)


class TestTriggers:
    def test_delete_of_an_audit_event_is_refused_by_the_database(self, events):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM clinic_auditevent WHERE seq = 1")
        assert AuditEvent.objects.filter(seq=1).exists()

    def test_delete_of_a_signed_assessment_is_refused_by_the_database(self, world):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM clinic_assessment WHERE id = %s", [world.signed.pk])
        assert Assessment.objects.filter(pk=world.signed.pk).exists()

    def test_a_draft_can_still_be_deleted(self, world):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM clinic_assessment WHERE id = %s", [world.draft.pk])
            transaction.set_rollback(True)

    def test_checkpoints_are_append_only(self, events):
        call_command("audit_checkpoint", stdout=io.StringIO())
        for statement in (
            "UPDATE clinic_auditcheckpoint SET seq = 1",
            "DELETE FROM clinic_auditcheckpoint",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement)


class TestKeys:
    def test_the_hash_is_an_hmac_with_the_configured_key(self, events, settings):
        event = AuditEvent.objects.order_by("seq").last()
        assert event.key_id == audit_chain.current_key_id()
        settings.NEUROSEQ_AUDIT_KEYS = {event.key_id: b"a different key entirely, 32 bytes+"}
        report = verify_chain()
        assert problems(report)[0] == ("altered", 1)

    def test_old_keys_still_verify_after_rotation(self, events, settings):
        old_id = audit_chain.current_key_id()
        old = settings.NEUROSEQ_AUDIT_KEYS[old_id]
        settings.NEUROSEQ_AUDIT_KEYS = {"k2": b"the new key, at least 32 bytes long", old_id: old}
        settings.NEUROSEQ_AUDIT_KEY_ID = "k2"
        event = record(Actor.system("tests"), "test.after_rotation")
        assert event.key_id == "k2"
        assert verify_chain().ok

    def test_an_event_under_a_key_the_server_lacks_is_named(self, events, settings):
        settings.NEUROSEQ_AUDIT_KEYS = {"k9": b"only a newer key here, 32 bytes long"}
        settings.NEUROSEQ_AUDIT_KEY_ID = "k9"
        report = verify_chain()
        assert problems(report)[0] == ("unknown_key", 1)

    def test_legacy_unkeyed_events_are_named_and_rekeyed_by_a_recorded_command(self, events):
        with transaction.atomic():
            tamper = Tamper()
            prev = GENESIS
            for row in list(tamper.rows()):
                new_hash = _sha256_rehash(prev, row)
                tamper.sql(
                    "UPDATE clinic_auditevent SET prev_hash = %s, hash = %s, key_id = '' "
                    "WHERE id = %s",
                    [prev, new_hash, row["id"]],
                )
                prev = new_hash
            tamper.sql("UPDATE clinic_auditchainhead SET hash = %s, mac = '', key_id = ''", [prev])
            for statement in audit_chain.enable_triggers_sql(connection.vendor):
                tamper.sql(statement)
        legacy = verify_chain()
        assert problems(legacy)[0] == ("unkeyed", 1)
        out = io.StringIO()
        call_command("audit_rekey", stdout=out)
        assert "re-keyed" in out.getvalue()
        report = verify_chain()
        assert report.ok, report.problem
        rekey = AuditEvent.objects.get(action="audit.rekey")
        assert rekey.details["events"] == events and rekey.details["old_head"]["hash"] == prev

    def test_rekey_refuses_a_chain_that_is_already_broken(self, events):
        with transaction.atomic():
            tamper = Tamper()
            tamper.sql("UPDATE clinic_auditevent SET action = 'x', key_id = '' WHERE seq = 2")
            for statement in audit_chain.enable_triggers_sql(connection.vendor):
                tamper.sql(statement)
        with pytest.raises(CommandError, match="event #2"):
            call_command("audit_rekey", stdout=io.StringIO())


class TestIncremental:
    def test_verification_starts_at_the_last_checkpoint(self, events):
        call_command("audit_checkpoint", stdout=io.StringIO())
        checkpoint = AuditCheckpoint.objects.order_by("-seq").first()
        for n in range(3):
            record(Actor.system("tests"), "test.later", details={"n": n})
        report = audit_chain.verify_incremental()
        assert report.ok and report.start_seq == checkpoint.seq + 1
        assert report.checked == AuditEvent.objects.filter(seq__gt=checkpoint.seq).count()

    def test_a_naive_edit_before_the_checkpoint_is_found_by_the_full_check(self, events):
        call_command("audit_checkpoint", stdout=io.StringIO())
        with transaction.atomic():
            tamper = Tamper()
            tamper.sql("UPDATE clinic_auditevent SET action = 'x' WHERE seq = 2")
            incremental = audit_chain.verify_incremental()
            full = audit_chain.verify_full()
            transaction.set_rollback(True)
        assert incremental.ok  # documented: the scheduled full check covers older events
        assert problems(full)[0] == ("altered", 2)

    def test_a_bounded_run_checks_part_and_the_next_run_continues(self, events, settings):
        settings.NEUROSEQ_AUDIT_VERIFY_LIMIT = 4
        first = audit_chain.verify_incremental()
        assert first.ok and not first.complete and first.checked == 4
        second = audit_chain.verify_incremental()
        assert second.start_seq == 5

    def test_checkpoint_command_prints_a_signed_line_and_logs_it(self, events, tmp_path, caplog):
        out = io.StringIO()
        call_command("audit_checkpoint", "--output", str(tmp_path / "c.jsonl"), stdout=out)
        line = json.loads(out.getvalue().strip().splitlines()[-1])
        assert line["format"] == "neuroseq.audit-checkpoint/1"
        assert line["seq"] == AuditChainHead.objects.get().seq - 1  # its own event came after
        assert audit_chain.checkpoint_signature_ok(line)
        assert not audit_chain.checkpoint_signature_ok({**line, "seq": line["seq"] - 1})
        assert any("neuroseq.audit-checkpoint/1" in r.getMessage() for r in caplog.records)

    def test_audit_verify_command_compares_the_external_file(self, events, tmp_path):
        path = tmp_path / "c.jsonl"
        call_command("audit_checkpoint", "--output", str(path), stdout=io.StringIO())
        out = io.StringIO()
        call_command("audit_verify", "--checkpoints", str(path), stdout=out)
        assert "intact" in out.getvalue()
        bad = json.loads(path.read_text())
        path.write_text(json.dumps({**bad, "hash": "0" * 64}) + "\n")
        with pytest.raises(CommandError, match="signature"):
            call_command("audit_verify", "--checkpoints", str(path), stdout=io.StringIO())


class TestOrganisationScope:
    def test_the_admin_sees_only_their_organisation_s_count(self, world, http, events):
        for n in range(7):
            record(Actor(world.other.user, world.other.user.email), "test.beta", details={"n": n})
        sign_in(http, world.user(Role.ORG_ADMIN))
        text = " ".join(http.get("/audit/?verify=1").content.decode().split())
        alpha = AuditEvent.objects.filter(organisation=world.team1.organisation).count()
        assert f"{alpha} events of your organisation" in text
        total = AuditEvent.objects.count()
        assert str(total) not in text.split("events of your organisation")[0][-20:]
        beta = AuditEvent.objects.filter(organisation=world.other.organisation).count()
        assert f"{beta} events" not in text and f"{total} events" not in text

    def test_a_problem_outside_the_organisation_is_not_described(self, world, http, events):
        beta_event = record(Actor(world.other.user, world.other.user.email), "test.beta")
        with transaction.atomic():
            tamper = Tamper()
            tamper.sql("UPDATE clinic_auditevent SET action = 'x' WHERE seq = %s", [beta_event.seq])
            report = audit_chain.verify_for_organisation(world.team1.organisation)
            transaction.set_rollback(True)
        assert not report.ok
        assert report.message == (
            "A problem was found in the audit chain outside your organisation's events. "
            "The platform operator has been alerted."
        )
        assert str(beta_event.seq) not in report.message


def test_every_append_only_trigger_is_in_the_database(db):
    """A later migration that rebuilds one of these tables on SQLite drops its triggers;
    ``post_migrate`` puts them back, and this test notices if it did not."""
    from neuroseq.web import triggers

    expected = {n for n in triggers.ALL if connection.vendor == "postgresql" or "truncate" not in n}
    assert expected <= triggers.existing(connection)
