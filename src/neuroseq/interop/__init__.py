"""Interchange formats: assessments as CSV rows (and FHIR R4 later)."""
