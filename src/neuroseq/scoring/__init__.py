"""Scoring: one assessment at a time with explanations (report), or a cohort at once (batch)."""

from neuroseq.scoring.explain import Explanation, Term
from neuroseq.scoring.functional import AgeEquivalent
from neuroseq.scoring.report import AssessmentScores, score_assessment

__all__ = ["AgeEquivalent", "AssessmentScores", "Explanation", "Term", "score_assessment"]
