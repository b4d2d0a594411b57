"""The database triggers that keep history append-only, for both database engines.

- audit events: no UPDATE (migration 0002), no DELETE;
- signed assessments: no UPDATE (0002), no DELETE; drafts may be deleted;
- audit checkpoints: no UPDATE, no DELETE;
- on PostgreSQL also no TRUNCATE of those tables.

The app's database role should not own these tables (an owner can disable triggers); see
docs/security.md. ``suspend_sql``/``restore_sql`` are for the two operations that must
step around the triggers on purpose, each inside one transaction: ``manage.py audit_rekey``
(recorded in the chain) and emptying the test database between tests.
"""

from __future__ import annotations

from typing import Any

PG_FUNCTION = """CREATE OR REPLACE FUNCTION clinic_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END; $$ LANGUAGE plpgsql;"""

# name -> (table, SQLite body, PostgreSQL definition after "CREATE TRIGGER <name>")
_TRIGGERS: dict[str, tuple[str, str, str]] = {
    "audit_event_no_update": (
        "clinic_auditevent",
        "BEFORE UPDATE ON clinic_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
        "BEFORE UPDATE ON clinic_auditevent FOR EACH ROW "
        "EXECUTE FUNCTION clinic_refuse_update('audit events are append-only');",
    ),
    "audit_event_no_delete": (
        "clinic_auditevent",
        "BEFORE DELETE ON clinic_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
        "BEFORE DELETE ON clinic_auditevent FOR EACH ROW "
        "EXECUTE FUNCTION clinic_refuse_update('audit events are append-only');",
    ),
    "signed_assessment_no_update": (
        "clinic_assessment",
        "BEFORE UPDATE ON clinic_assessment WHEN OLD.status = 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'signed assessments are immutable'); END;",
        "BEFORE UPDATE ON clinic_assessment FOR EACH ROW WHEN (OLD.status = 'signed') "
        "EXECUTE FUNCTION clinic_refuse_update('signed assessments are immutable');",
    ),
    "signed_assessment_no_delete": (
        "clinic_assessment",
        "BEFORE DELETE ON clinic_assessment WHEN OLD.status = 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'signed assessments are never deleted'); END;",
        "BEFORE DELETE ON clinic_assessment FOR EACH ROW WHEN (OLD.status = 'signed') "
        "EXECUTE FUNCTION clinic_refuse_update('signed assessments are never deleted');",
    ),
    "audit_checkpoint_no_update": (
        "clinic_auditcheckpoint",
        "BEFORE UPDATE ON clinic_auditcheckpoint "
        "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;",
        "BEFORE UPDATE ON clinic_auditcheckpoint FOR EACH ROW "
        "EXECUTE FUNCTION clinic_refuse_update('audit checkpoints are append-only');",
    ),
    "audit_checkpoint_no_delete": (
        "clinic_auditcheckpoint",
        "BEFORE DELETE ON clinic_auditcheckpoint "
        "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;",
        "BEFORE DELETE ON clinic_auditcheckpoint FOR EACH ROW "
        "EXECUTE FUNCTION clinic_refuse_update('audit checkpoints are append-only');",
    ),
}
# PostgreSQL only: TRUNCATE skips row triggers, so refuse it per statement.
_PG_TRUNCATE = {
    f"{table}_no_truncate": table
    for table in ("clinic_auditevent", "clinic_assessment", "clinic_auditcheckpoint")
}
#: Created by migration 0002; the rest by 0006.
FROM_0002 = ("audit_event_no_update", "signed_assessment_no_update")
ADDED_BY_0006 = tuple(name for name in _TRIGGERS if name not in FROM_0002) + tuple(_PG_TRUNCATE)


def create_sql(vendor: str, names: tuple[str, ...]) -> list[str]:
    if vendor == "sqlite":
        return [f"CREATE TRIGGER {n} {_TRIGGERS[n][1]}" for n in names if n in _TRIGGERS]
    if vendor == "postgresql":
        statements = [PG_FUNCTION]
        for name in names:
            if name in _TRIGGERS:
                statements.append(f"CREATE TRIGGER {name} {_TRIGGERS[name][2]}")
            else:
                statements.append(
                    f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {_PG_TRUNCATE[name]} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION "
                    "clinic_refuse_update('history is append-only: no TRUNCATE');"
                )
        return statements
    return []


def drop_sql(vendor: str, names: tuple[str, ...]) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {n};" for n in names if n in _TRIGGERS]
    if vendor == "postgresql":
        tables = {**{n: t[0] for n, t in _TRIGGERS.items()}, **_PG_TRUNCATE}
        return [f"DROP TRIGGER IF EXISTS {n} ON {tables[n]};" for n in names]
    return []


ALL = tuple(_TRIGGERS) + tuple(_PG_TRUNCATE)


def suspend_sql(vendor: str) -> list[str]:
    """Statements that switch every append-only trigger off (inside a transaction)."""
    if vendor == "postgresql":
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
        tables = sorted({t[0] for t in _TRIGGERS.values()})
        return ["SET CONSTRAINTS ALL IMMEDIATE;"] + [
            f"ALTER TABLE {table} DISABLE TRIGGER USER;" for table in tables
        ]
    return drop_sql(vendor, ALL)


def restore_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        tables = sorted({t[0] for t in _TRIGGERS.values()})
        return (
            ["SET CONSTRAINTS ALL IMMEDIATE;"]
            + [f"ALTER TABLE {table} ENABLE TRIGGER USER;" for table in tables]
            + ["SET CONSTRAINTS ALL DEFERRED;"]
        )
    return create_sql(vendor, ALL)


def existing(connection: Any) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def ensure(connection: Any) -> list[str]:
    """Create any append-only trigger that is missing; returns the names created.

    Runs after every ``migrate`` (``post_migrate``): on SQLite, a later migration that adds a
    column to one of these tables rebuilds the table and silently drops its triggers.
    """
    tables = set(connection.introspection.table_names())
    table_of = {**{n: t[0] for n, t in _TRIGGERS.items()}, **_PG_TRUNCATE}
    names = tuple(
        n
        for n in ALL
        if (connection.vendor == "postgresql" or n in _TRIGGERS) and table_of[n] in tables
    )
    missing = tuple(n for n in names if n not in existing(connection))
    if missing:
        with connection.cursor() as cursor:
            for sql in create_sql(connection.vendor, missing):
                cursor.execute(sql)
    return list(missing)
