"""Streaming first and second moments: the sufficient statistics of least squares.

A million assessments never sit in memory: each chunk's count, means and centred
cross-products are merged into the running totals with the pairwise update of Chan,
Golub and LeVeque (1979, "Updating formulae and a pairwise algorithm for computing
sample variances"), which stays accurate where the textbook sum-of-squares formula
loses digits. Rows with a missing value in any of the variables are left out
(listwise), so every model reports the n it was really fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Moments:
    """Count, means and centred cross-product matrix of ``names`` (complete rows only)."""

    names: tuple[str, ...]
    n: int = 0
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    comoment: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        p = len(self.names)
        if self.mean.shape != (p,):
            self.mean = np.zeros(p)
        if self.comoment.shape != (p, p):
            self.comoment = np.zeros((p, p))

    def add(self, columns: Sequence[np.ndarray]) -> None:
        """Add one chunk: one array per variable, in the order of ``names``."""
        data = np.column_stack([np.asarray(c, dtype=float) for c in columns])
        data = data[~np.isnan(data).any(axis=1)]
        m = data.shape[0]
        if m == 0:
            return
        chunk_mean = data.mean(axis=0)
        centred = data - chunk_mean
        chunk_comoment = centred.T @ centred
        if self.n == 0:
            self.n, self.mean, self.comoment = m, chunk_mean, chunk_comoment
            return
        total = self.n + m
        delta = chunk_mean - self.mean
        self.comoment = self.comoment + chunk_comoment + np.outer(delta, delta) * self.n * m / total
        self.mean = self.mean + delta * m / total
        self.n = total

    def covariance(self) -> np.ndarray:
        return self.comoment / (self.n - 1)

    def sd(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.covariance()), 0.0))

    def index(self, name: str) -> int:
        return self.names.index(name)
