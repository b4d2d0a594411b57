"""Database triggers: the database itself refuses to UPDATE an audit event or a signed
assessment, so not even raw SQL through the app's connection rewrites history.

DELETE is left to the model and queryset guards (and the hash chain detects it), because
test databases are emptied between tests with DELETE on SQLite.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON clinic_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER signed_assessment_no_update BEFORE UPDATE ON clinic_assessment
       WHEN OLD.status = 'signed'
       BEGIN SELECT RAISE(ABORT, 'signed assessments are immutable'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS signed_assessment_no_update;",
]
POSTGRES = [
    """CREATE FUNCTION clinic_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON clinic_auditevent
       FOR EACH ROW EXECUTE FUNCTION clinic_refuse_update('audit events are append-only');""",
    """CREATE TRIGGER signed_assessment_no_update BEFORE UPDATE ON clinic_assessment
       FOR EACH ROW WHEN (OLD.status = 'signed')
       EXECUTE FUNCTION clinic_refuse_update('signed assessments are immutable');""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update ON clinic_auditevent;",
    "DROP TRIGGER IF EXISTS signed_assessment_no_update ON clinic_assessment;",
    "DROP FUNCTION IF EXISTS clinic_refuse_update();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def create_head(apps, schema_editor):
    apps.get_model("clinic", "AuditChainHead").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
