"""The job kinds that ship; importing this package registers them."""

from neuroseq.web.jobs.kinds import audit_verify, cohort_scores, exports  # noqa: F401
