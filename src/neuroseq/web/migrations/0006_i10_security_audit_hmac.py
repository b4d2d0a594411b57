"""Keyed audit chain: HMAC key ids on events and the head, signed checkpoints, and triggers
that refuse DELETE of audit events, signed assessments and checkpoints (and TRUNCATE on
PostgreSQL).

Existing events keep their unkeyed SHA-256 hashes (``key_id`` empty) until an operator runs
``manage.py audit_rekey``, which re-signs them and records that it did (docs/security.md).
On SQLite, adding a column rebuilds the table and drops its triggers, so every trigger is
created again here.
"""

import django.utils.timezone
from django.db import migrations, models

from neuroseq.web import triggers


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    names = triggers.ALL if vendor == "sqlite" else triggers.ADDED_BY_0006
    for sql in triggers.drop_sql(vendor, names) + triggers.create_sql(vendor, names):
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in triggers.drop_sql(vendor, triggers.ADDED_BY_0006):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_i10_security_account_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(db_index=True)),
                ("hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("export", "Exported"),
                            ("verified", "Verified"),
                            ("rekey", "After re-keying"),
                        ],
                        max_length=10,
                    ),
                ),
                ("key_id", models.CharField(max_length=20)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={
                "ordering": ["-seq", "-id"],
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(
                blank=True,
                default="",
                help_text="HMAC key id; empty: legacy SHA-256",
                max_length=20,
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
