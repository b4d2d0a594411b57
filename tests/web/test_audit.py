"""The audit trail: reads and writes are recorded; the chain is append-only and verifiable."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from neuroseq.web.models import AuditEvent, ImmutableRecordError, Role
from neuroseq.web.services import clients as client_service
from neuroseq.web.services.audit import Actor, record, verify_chain

from .helpers import sign_in


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def test_reading_a_client_record_is_audited_with_who_and_where(world, http):
    sign_in(http, world.user(Role.CLINICIAN))
    http.get(f"/clients/{world.child1.pk}/", REMOTE_ADDR="10.1.2.3")
    event = last("client.read")
    assert event.actor == world.user(Role.CLINICIAN)
    assert event.client == world.child1
    assert event.organisation == world.child1.organisation
    assert event.ip_address == "10.1.2.3"
    assert event.details == {"page": "client"}


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/assessments/{signed}/", "assessment.read"),
        ("/clients/{child}/family/", "client.read"),
        ("/clients/", "client.search"),
        ("/api/clients/{child}", "client.read"),
    ],
)
def test_other_reads_are_audited(world, http, path, action):
    sign_in(http, world.user(Role.SUPERVISOR))
    before = AuditEvent.objects.filter(action=action).count()
    response = http.get(path.format(signed=world.signed.pk, child=world.child1.pk))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=action).count() == before + 1
    assert last(action).actor == world.user(Role.SUPERVISOR)


def test_writes_are_audited_in_the_same_transaction(world, http):
    sign_in(http, world.user(Role.SUPERVISOR))
    http.post(f"/assessments/{world.in_review.pk}/sign/", {"confirm": "on"})
    event = last("assessment.sign")
    assert event.object_id == str(world.in_review.pk)
    assert event.details["status"] == "signed"
    assert event.client == world.child1


def test_sign_in_and_failed_sign_in_are_audited(world, http):
    http.post("/accounts/login/", {"username": "viewer@alpha.example", "password": "wrong"})
    assert last("auth.login_failed").details == {"email": "viewer@alpha.example"}
    from .factories import PASSWORD

    http.post("/accounts/login/", {"username": "viewer@alpha.example", "password": PASSWORD})
    assert last("auth.login").actor == world.user(Role.VIEWER)


def test_chain_verifies_and_events_are_numbered_without_gaps(world):
    report = verify_chain()
    assert report.ok, report.problem
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1)) and report.checked == len(seqs)


def test_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = AuditEvent.objects.order_by("seq").first()
    event.action = "nothing.happened"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(ImmutableRecordError):
        AuditEvent.objects.all().delete()


# Tampering with the chain (rewrite, truncation, insertion, deletion): test_audit_chain.py


def test_the_update_trigger_refuses_raw_sql(world):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET action = 'x'")


def test_details_are_stored_as_plain_json(world):
    event = record(Actor.system("tests"), "test.event", details={"when": world.child1.birth_date})
    event.refresh_from_db()
    assert event.details == {"when": "2016-03-14"}
    assert verify_chain().ok


class TestAuditLogPage:
    def test_admin_sees_own_organisation_events_only(self, world, http):
        client_service.record_read(
            Actor(world.other.user, world.other.user.email), world.other_child, "x"
        )
        sign_in(http, world.user(Role.ORG_ADMIN))
        page = http.get("/audit/?action=client.read").content.decode()
        assert "supervisor@beta.example" not in page

    def test_filters_by_user_client_and_date(self, world, http):
        sign_in(http, world.user(Role.SUPERVISOR))
        http.get(f"/clients/{world.child1.pk}/")
        sign_in(http, world.user(Role.ORG_ADMIN))
        page = http.get("/audit/?user=supervisor@alpha&client=A-0001&action=client.read")
        text = page.content.decode()
        assert page.status_code == 200 and "client.read" in text
        assert "supervisor@alpha.example" in text
        none = http.get("/audit/?date_from=2001-01-01&date_to=2001-01-02").content.decode()
        assert "No events match." in none

    def test_bad_dates_name_the_field(self, world, http):
        sign_in(http, world.user(Role.ORG_ADMIN))
        response = http.get("/audit/?date_from=2026-02-01&date_to=2026-01-01")
        assert response.status_code == 400
        assert "Expected a date on or after the From date." in response.content.decode()
        response = http.get("/audit/?date_from=yesterday")
        assert response.status_code == 400 and "Enter a valid date" in response.content.decode()

    def test_csv_download(self, world, http):
        sign_in(http, world.user(Role.SUPERVISOR))
        http.get(f"/clients/{world.child1.pk}/")
        sign_in(http, world.user(Role.ORG_ADMIN))
        response = http.get("/audit/?client=A-0001&format=csv")
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:4] == ["seq", "time_utc", "actor", "action"]
        assert len(rows) > 1 and all(row[6] == "A-0001" for row in rows[1:])
        assert last("audit.export").actor == world.user(Role.ORG_ADMIN)

    def test_chain_check_on_the_page(self, world, http):
        sign_in(http, world.user(Role.ORG_ADMIN))
        assert "Hash chain intact" in http.get("/audit/?verify=1").content.decode()


@pytest.mark.slow
def test_concurrent_writers_keep_one_unbroken_chain(transactional_db):
    """Writers in parallel threads queue on the chain head: no fork, no gap, no duplicate."""
    if connection.vendor != "postgresql":
        pytest.skip("the shared in-memory SQLite test database is not safe across threads")
    import threading

    from django.db import connections

    errors = []

    def write(worker):
        try:
            for n in range(10):
                record(Actor.system(f"worker-{worker}"), "test.concurrent", details={"n": n})
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = verify_chain()
    assert report.ok, report.problem
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40


@pytest.mark.parametrize("ip", ["2001:DB8:0:0::1", "::ffff:10.0.0.1", "192.168.000.001", "bogus"])
def test_addresses_are_stored_in_a_form_that_verifies(db, ip):
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    event = record(Actor.from_request(request), "test.ip")
    event.refresh_from_db()
    assert verify_chain().ok
    assert (event.ip_address is None) == (ip in {"bogus", "192.168.000.001"})


def test_nul_characters_in_audited_input_are_stored_safely(world, http):
    sign_in(http, world.user(Role.ORG_ADMIN))
    assert http.get("/audit/?user=a%00b").status_code == 400
    event = AuditEvent.objects.filter(action="audit.view").order_by("-seq").first()
    assert event.details == {"filters": {"user": "a\ufffdb"}}
    assert verify_chain().ok


def test_every_audit_csv_cell_is_escaped_against_formulas(world, http):
    """The review found the `client` column unescaped (only `details` was)."""
    from neuroseq.web.models import Client

    Client.objects.filter(pk=world.child1.pk).update(display_id='=HYPERLINK("http://x")')
    world.child1.refresh_from_db()
    record(
        Actor(world.user(Role.SUPERVISOR), "@evil", ip="10.0.0.1"),
        "client.read",
        object_id="-1+1",
        client=world.child1,
        details={"page": "+x"},
    )
    sign_in(http, world.user(Role.ORG_ADMIN))
    response = http.get("/audit/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'@evil" in cells and "'-1+1" in cells
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_audit_page_shows_details_as_words_and_clients_by_pseudonym(world, http):
    """No Python dict reprs: key: value lines, and client ids shown as pseudonyms (only the
    organisation's own clients are named)."""
    system = Actor.system("tests")
    record(
        system,
        "client.search",
        details={
            "filters": {},
            "client_ids": [world.child1.pk, world.child2.pk, world.other_child.pk],
        },
        organisation=world.child1.organisation,
    )
    client_service.record_read(system, world.child1, "x")
    sign_in(http, world.user(Role.ORG_ADMIN))
    page = http.get("/audit/").content.decode()
    assert "{&#x27;" not in page and "{'" not in page and "[1," not in page
    assert "Filters: none" in page
    search = page.split("client.search", 1)[1].split("</tr>", 1)[0]
    assert f"Client ids: A-0001, {world.child2.display_id}, #{world.other_child.pk}" in search
    assert world.other_child.display_id not in page
    read = page.split("client.read", 1)[1].split("</tr>", 1)[0]
    assert f"client {world.child1.display_id}" in read
    assert f"client {world.child1.pk}<" not in read
