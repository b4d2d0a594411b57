"""Small template filters for the editor pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping|get_item:key`` for keys with dots, which template lookups cannot reach."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def field_id(path: str) -> str:
    """The HTML id of a field path (``functional.sleep`` -> ``f-functional-sleep``)."""
    return "f-" + str(path).replace(".", "-")
