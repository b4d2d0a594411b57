"""What a signed assessment's pages show, rendered once and kept (issue 14, "render once").

A signed assessment never changes, so its maps, scores, plan summary and the plan in each
audience's words are HTML fragments computed once (at signing, or at the first view of an
assessment signed before this table existed) and served from here. The fragments also
depend on things outside the assessment: the client's details (name, pseudonym), the
child's earlier signed reviews (the plan's history) and the code and data that draw them.
``fingerprint`` covers all of those; a stored row whose fingerprint no longer matches is
rendered again, so a stored page is always byte-identical to a live one. Derived data:
rows may be dropped at any time and are rebuilt on the next view.
"""

from __future__ import annotations

from django.db import models

from neuroseq.web.models.assessments import Assessment


class RenderedAssessment(models.Model):
    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, primary_key=True, related_name="rendered"
    )
    assessment_version = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64, help_text="inputs of the rendering, hashed")
    age_text = models.CharField(max_length=100)
    snapshot_matches = models.BooleanField()
    maps_html = models.TextField()
    scores_html = models.TextField()
    plan_summary_html = models.TextField()
    plan_html = models.JSONField(help_text="audience -> the plan cards, or absent if no plan")
    family_map_svg = models.TextField(
        blank=True, default="", help_text="the caregivers' and teachers' map; empty if none"
    )
    change_maps = models.JSONField(
        default=dict, help_text="earlier assessment id -> the change map since it (SVG)"
    )
    rendered_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rendered assessment {self.assessment_id} v{self.assessment_version}"
