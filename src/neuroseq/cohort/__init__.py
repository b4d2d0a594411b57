"""Cohorts: the worked example, synthetic cohorts, and cohort-level analysis."""
