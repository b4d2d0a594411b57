"""Client search that stays fast at 100,000 clients: a substring index per database.

The client list searches the pseudonymous id and both names for a substring, ignoring
case. A plain ``LIKE '%...%'`` reads every row, so the search slows down with the size of
the organisation. Each database gets an index that answers substring queries:

- **SQLite**: an FTS5 table with the trigram tokenizer over the three columns, kept in
  step with ``clinic_client`` by triggers. A query of three characters or more is a
  phrase ``MATCH`` on it (a substring match, case-folded); shorter ones use ``LIKE``.
- **PostgreSQL**: the ``pg_trgm`` extension and GIN trigram indexes on exactly the
  expressions Django's ``icontains`` produces (``UPPER(col::text)``), so the ORM query is
  unchanged and the planner uses them. Without the right to create the extension, search
  still works, by reading every row.

``ensure_search_index`` runs after every ``migrate`` (a ``post_migrate`` receiver), so the
index is rebuilt if a later migration recreated the table on SQLite (which drops its
triggers). It does nothing when everything is in place.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

log = logging.getLogger(__name__)

FTS_TABLE = "clinic_client_search"
COLUMNS = ("display_id", "given_name", "family_name")
MIN_TRIGRAM = 3
ID_LIST_LIMIT = 1000
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON clinic_client
        BEGIN INSERT INTO {FTS_TABLE}(rowid, display_id, given_name, family_name)
        VALUES (new.id, new.display_id, new.given_name, new.family_name); END""",
    f"{FTS_TABLE}_ad": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON clinic_client
        BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, display_id, given_name, family_name)
        VALUES ('delete', old.id, old.display_id, old.given_name, old.family_name); END""",
    f"{FTS_TABLE}_au": f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON clinic_client
        BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, display_id, given_name, family_name)
        VALUES ('delete', old.id, old.display_id, old.given_name, old.family_name);
        INSERT INTO {FTS_TABLE}(rowid, display_id, given_name, family_name)
        VALUES (new.id, new.display_id, new.given_name, new.family_name); END""",
}


def ensure_search_index(using: str = "default", **_: Any) -> None:
    """Create (or repair) the substring index of the client search. Idempotent."""
    db = connections[using]
    if "clinic_client" not in db.introspection.table_names():
        return
    if db.vendor == "sqlite":
        _ensure_sqlite(db)
    elif db.vendor == "postgresql":
        _ensure_postgresql(db)


def _ensure_sqlite(db: Any) -> None:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE in present and set(_SQLITE_TRIGGERS) <= present:
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({', '.join(COLUMNS)}, "
            "content='clinic_client', content_rowid='id', tokenize='trigram')"
        )
        for statement in _SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def _ensure_postgresql(db: Any) -> None:
    try:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            for column in COLUMNS:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS clinic_client_{column}_trgm ON clinic_client "
                    f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
                )
    except DatabaseError as exc:
        log.warning("client search: no trigram index (%s); searches will read every row", exc)


def matching(clients: QuerySet[Any], text: str) -> QuerySet[Any]:
    """``clients`` whose id, given name or family name contains ``text`` (any case)."""
    if connection.vendor == "sqlite" and len(text) >= MIN_TRIGRAM:
        phrase = '"' + text.replace('"', '""') + '"'
        found = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(f"{found} LIMIT %s", [phrase, ID_LIST_LIMIT + 1])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) <= ID_LIST_LIMIT:
            # A short list of ids lets SQLite fetch those rows by key; given the subquery
            # instead, it walks the whole organisation's index and probes each row.
            return clients.filter(pk__in=ids)
        return clients.filter(pk__in=RawSQL(found, [phrase]))
    return clients.filter(
        Q(display_id__icontains=text)
        | Q(given_name__icontains=text)
        | Q(family_name__icontains=text)
    )
