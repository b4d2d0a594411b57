"""The client list at scale: substring search through the index, counting capped at 1,000.

The oracle for search is Django's own ``icontains`` over the three columns: the indexed
search must find exactly the same clients (ASCII text; for other scripts the index also
folds case, which ``LIKE`` on SQLite does not).
"""

from __future__ import annotations

import re
import string

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuroseq.web import search
from neuroseq.web.models import Client, Role
from neuroseq.web.pagination import CappedPaginator

from .factories import ClientFactory

NAMES = ["Quillfeather", "Ann-Marie", "O'Neill", 'Say "hi"', "Zoë", "MacLeod", "lee"]
text = st.text(alphabet=string.ascii_letters + string.digits + " -'\"%_", min_size=1, max_size=8)


def _icontains(q: str) -> set[int]:
    return set(
        Client.objects.filter(
            Q(display_id__icontains=q) | Q(given_name__icontains=q) | Q(family_name__icontains=q)
        ).values_list("pk", flat=True)
    )


@pytest.fixture
def named(world):
    for i, name in enumerate(NAMES):
        ClientFactory(care_team=world.team1, display_id=f"N-{i:03d}%", family_name=name)
    return world


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.one_of(text, st.sampled_from(["quill", "FEATHER", "n-0", "%", "_", '"hi"', "o'n"])))
def test_indexed_search_finds_exactly_what_icontains_finds(named, q):
    found = set(search.matching(Client.objects.all(), q).values_list("pk", flat=True))
    assert found == _icontains(q)


def test_the_index_follows_edits_and_deletes(named):
    client = Client.objects.get(display_id="N-000%")
    client.family_name = "Brightwater"
    client.save()
    matches = search.matching(Client.objects.all(), "brightw")
    assert list(matches) == [client]
    assert client not in search.matching(Client.objects.all(), "quillf")
    Client.objects.filter(pk=client.pk).delete()
    assert not search.matching(Client.objects.all(), "brightw").exists()


def test_the_index_is_rebuilt_if_a_migration_dropped_it(named):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite recreates tables (and drops their triggers) on some migrations")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_ai")
    search.ensure_search_index()
    ClientFactory(care_team=named.team1, family_name="Afterwards")
    assert search.matching(Client.objects.all(), "afterw").count() == 1


def test_postgresql_has_the_trigram_indexes(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clinic_client'")
        names = {row[0] for row in cursor.fetchall()}
    assert {f"clinic_client_{c}_trgm" for c in search.COLUMNS} <= names


def test_counting_stops_at_the_cap(named):
    everyone = Client.objects.order_by("pk")
    total = everyone.count()
    exact = CappedPaginator(everyone, 2, cap=total)
    assert (exact.count, exact.capped, exact.num_pages) == (total, False, (total + 1) // 2)
    capped = CappedPaginator(everyone, 2, cap=3)
    assert capped.capped and capped.count == 4
    pages = []
    number = 1
    while True:
        page = capped.get_page(number)
        pages.append([c.pk for c in page.object_list])
        if not page.has_next():
            break
        number += 1
    assert [pk for rows in pages for pk in rows] == list(everyone.values_list("pk", flat=True))
    assert capped.get_page(999).number == 1 and capped.get_page("x").number == 1


def test_a_long_list_says_more_than_the_cap(named, as_role, settings, monkeypatch):
    from neuroseq.web import pagination

    settings.NEUROSEQ_PAGE_SIZE = 2
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page = as_role(Role.CLINICIAN).get("/clients/?page=2").content.decode()
    assert "More than 3 clients found" in page
    assert "Page 2</span>" in page and "Next page" in page and "Previous page" in page


def _queries(http, url: str) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured.captured_queries)


def test_list_and_search_take_the_same_queries_at_any_size(named, as_role, settings):
    """Constant query count (issue 14.6): nothing is fetched per listed client."""
    from .helpers import make_assessment

    settings.NEUROSEQ_PAGE_SIZE = 25
    http = as_role(Role.CLINICIAN)
    urls = ["/clients/", "/clients/?q=quill", "/clients/?page=2"]
    few = [_queries(http, url) for url in urls]
    for i in range(60):
        child = ClientFactory(care_team=named.team1, family_name=f"Quillfeather{i}")
        if i % 20 == 0:
            make_assessment(child, "signed")
    many = [_queries(http, url) for url in urls]
    assert many == few
    found = re.search(r"(\d+) clients? found", http.get("/clients/?q=quill").content.decode())
    assert found is not None and int(found.group(1)) == len(_icontains("quill")) > 60
