"""The clinic web app: a Django project whose single app (label ``clinic``) holds the models.

Layers: views and the API are thin; every write goes through ``neuroseq.web.services``,
which also writes the audit trail; what a user may see is decided in ``permissions``.
"""
