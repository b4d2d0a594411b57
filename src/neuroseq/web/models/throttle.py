"""Token buckets that slow repeated sign-in failures from one network address.

One row per key (e.g. ``login-ip:203.0.113.5``); see ``neuroseq.web.services.throttle``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LoginThrottle(models.Model):
    key = models.CharField(max_length=120, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.key}: {self.tokens:.1f} tokens"
