"""The job kinds that ship; importing this package registers them."""

from neuroseq.web.jobs.kinds import analytics_refit, audit_verify, cohort_scores  # noqa: F401
