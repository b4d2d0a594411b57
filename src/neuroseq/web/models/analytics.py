"""Stored numeric scores: one row per signed assessment (the current signed version).

The analytics page aggregates these columns in the database instead of re-scoring
records per request. A row is written when an assessment is signed; signing an amendment
replaces its lineage's row, so the numbers always follow the version in force. The
region, domain and period columns follow the vocabulary of docs (DESIGN.md: the order is
the contract); an instrument with other ids needs a new migration here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from neuroseq.web.models.accounts import Organisation
from neuroseq.web.models.assessments import Assessment
from neuroseq.web.models.clients import Client

REGIONS = ("brainstem", "diencephalon", "limbic", "cortex", "frontal_cortex")
DOMAINS = ("sensory_integration", "self_regulation", "relational", "cognitive")
PERIODS = ("prenatal", "m0_2", "m2_6", "m6_12", "y1_2", "y2_4", "y4_6", "y6_12", "y12_18")

#: batch-scorer column name -> stored field name, for every number the page uses.
SCALARS = {
    "age_months": "age_months",
    "developmental_challenges_score": "challenges",
    "relational_health_history_score": "relational_history",
    "current_relational_health": "relational_current",
    "functional_score": "functional_score",
    "typical_functional_score": "typical_functional_score",
    "age_typical_percent": "age_typical_percent",
}
REGION_FIELDS = {r: (f"region_{r}", f"typical_region_{r}") for r in REGIONS}
DOMAIN_FIELDS = {d: (f"domain_{d}", f"typical_domain_{d}") for d in DOMAINS}
PERIOD_FIELDS = {p: f"load_{p}" for p in PERIODS}


def _number() -> models.FloatField:  # type: ignore[type-arg]
    return models.FloatField(null=True, blank=True)


class StoredScores(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="stored_scores")
    lineage = models.UUIDField(unique=True, help_text="one row per assessment, all versions")
    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="stored_scores",
        help_text="the signed version in force",
    )
    assessed_on = models.DateField()
    synthetic = models.BooleanField(default=False)
    instrument_version = models.CharField(max_length=20)
    stored_at = models.DateTimeField(default=timezone.now, help_text="last written")

    age_months = _number()
    challenges = _number()
    relational_history = _number()
    relational_current = _number()
    functional_score = _number()
    typical_functional_score = _number()
    age_typical_percent = _number()

    region_brainstem, typical_region_brainstem = _number(), _number()
    region_diencephalon, typical_region_diencephalon = _number(), _number()
    region_limbic, typical_region_limbic = _number(), _number()
    region_cortex, typical_region_cortex = _number(), _number()
    region_frontal_cortex, typical_region_frontal_cortex = _number(), _number()

    domain_sensory_integration, typical_domain_sensory_integration = _number(), _number()
    domain_self_regulation, typical_domain_self_regulation = _number(), _number()
    domain_relational, typical_domain_relational = _number(), _number()
    domain_cognitive, typical_domain_cognitive = _number(), _number()

    load_prenatal = _number()
    load_m0_2 = _number()
    load_m2_6 = _number()
    load_m6_12 = _number()
    load_y1_2 = _number()
    load_y2_4 = _number()
    load_y4_6 = _number()
    load_y6_12 = _number()
    load_y12_18 = _number()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "assessed_on"], name="stored_org_date"),
            models.Index(fields=["client", "assessed_on"], name="stored_client_date"),
            models.Index(fields=["organisation", "stored_at"], name="stored_org_written"),
        ]

    def __str__(self) -> str:
        return f"scores of {self.assessment_id}"


class AnalyticsSnapshot(models.Model):
    """The analytics page's computed figures for one selection of a large caseload.

    Refitting 100k assessments takes seconds, so for a large caseload the page shows the
    latest snapshot and a background job (``analytics_refit``) refits when the stored
    scores have changed since (``stamp``: their count and the time of the last write).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, help_text="the filters, canonical")
    stamp = models.CharField(max_length=80, help_text="the stored scores it was computed from")
    figures = models.JSONField(help_text="what the page shows (no client names or ids)")
    computed_at = models.DateTimeField(default=timezone.now)
    refresh_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="snapshot_per_selection")
        ]

    def __str__(self) -> str:
        return f"analytics {self.organisation_id} {self.key}"
