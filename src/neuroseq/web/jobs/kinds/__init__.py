"""The job kinds that ship; importing this package registers them."""

from neuroseq.web.jobs.kinds import (  # noqa: F401
    analytics_refit,
    audit_verify,
    cohort_scores,
    exports,
    report_batch,
)
