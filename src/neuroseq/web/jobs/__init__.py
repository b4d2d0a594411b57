"""Background jobs: a registry of kinds, a runner, and two ways to run them.

Adding a job kind is one registered function (see ``registry.job_kind``); the kinds that
ship are imported by ``neuroseq.web.jobs.kinds``. ``services.jobs.start_job`` creates the
``Job`` row and hands its id to the queue after the request's transaction commits.
"""
