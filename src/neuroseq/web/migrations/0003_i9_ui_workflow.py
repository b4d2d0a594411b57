"""Draft revisions, review rounds, family releases, and a kind on each viewer link.

The viewer link keeps the table of the former plain many-to-many field
(``clinic_client_viewers``, same columns and unique pair) and gains a ``kind`` column,
following Django's documented way to give an existing many-to-many field a through model.
Every existing assessment gets revision 1 (its stored inputs), so each draft has a
revision to merge against.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def first_revisions(apps, schema_editor):
    Assessment = apps.get_model("clinic", "Assessment")
    DraftRevision = apps.get_model("clinic", "DraftRevision")
    rows = [
        DraftRevision(
            assessment_id=a.pk,
            number=1,
            inputs=a.inputs,
            marks={},
            step="before revisions",
            saved_by_id=a.created_by_id,
            saved_at=a.updated_at,
        )
        for a in Assessment.objects.all().iterator()
    ]
    DraftRevision.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ViewerLink",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="clinic.client"
                            ),
                        ),
                        (
                            "membership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="clinic.membership"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "clinic_client_viewers",
                        "unique_together": {("client", "membership")},
                    },
                ),
                migrations.AlterField(
                    model_name="client",
                    name="viewers",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text=(
                            "caregivers and teachers who see this child's plain-language pages"
                        ),
                        related_name="linked_clients",
                        through="clinic.ViewerLink",
                        to="clinic.membership",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="viewerlink",
            name="kind",
            field=models.CharField(
                choices=[("caregiver", "Caregiver"), ("teacher", "Teacher")],
                default="caregiver",
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="DraftRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("inputs", models.JSONField()),
                ("marks", models.JSONField(blank=True, default=dict)),
                (
                    "step",
                    models.CharField(blank=True, help_text="the page that saved it", max_length=40),
                ),
                ("saved_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="revisions",
                        to="clinic.assessment",
                    ),
                ),
                (
                    "saved_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["assessment", "-number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("assessment", "number"), name="draft_revision_number"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReviewRound",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "revision",
                    models.PositiveIntegerField(help_text="the draft revision that was submitted"),
                ),
                ("submitted_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting for review"),
                            ("returned", "Returned with comments"),
                            ("signed", "Signed"),
                        ],
                        default="pending",
                        max_length=20,
                    ),
                ),
                ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                ("comments", models.TextField(blank=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="review_rounds",
                        to="clinic.assessment",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["assessment", "-submitted_at", "-pk"]},
        ),
        migrations.CreateModel(
            name="FamilyRelease",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("released_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("withdrawn_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="releases",
                        to="clinic.assessment",
                    ),
                ),
                (
                    "released_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "withdrawn_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["assessment", "-released_at", "-pk"]},
        ),
        migrations.RunPython(first_revisions, migrations.RunPython.noop),
    ]
