"""Thin views: read through ``permissions``, write through ``services``, render templates."""
