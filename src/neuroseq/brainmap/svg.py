"""A tiny, deterministic SVG writer.

Strings are built by hand instead of through ``xml.etree`` so attribute order and number
formatting are under our control: the same input must give byte-identical output.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

FONT_FAMILY = "'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif"
SVG_NS = "http://www.w3.org/2000/svg"

_ID_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,39}$")


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (``12``, ``12.5``)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


Attrs = Mapping[str, object]


def _attrs(attrs: Attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f' {key}="{escape(text)}"')
    return "".join(parts)


def el(tag: str, attrs: Attrs | None = None, children: Iterable[str] | str = ()) -> str:
    """One element; ``children`` are already-serialised strings, a plain ``str`` is text."""
    head = f"<{tag}{_attrs(attrs or {})}"
    if isinstance(children, str):
        return f"{head}>{escape(children)}</{tag}>"
    body = "".join(children)
    return f"{head}>{body}</{tag}>" if body else f"{head}/>"


def group(children: Iterable[str], attrs: Attrs | None = None) -> str:
    return el("g", attrs, children)


def make_id_prefix(kind: str, payload: str, given: str | None) -> str:
    """Prefix for every id in one SVG, so several SVGs can share an HTML page.

    Derived from the content (never random), so the same input keeps the same ids; pass
    ``given`` when one page shows the very same map twice.
    """
    if given is not None:
        if not _ID_PREFIX.match(given):
            raise ValueError(
                f"id_prefix: expected a letter then letters, digits, '-' or '_', got {given!r}"
            )
        return given
    digest = hashlib.sha256(f"{kind}\n{payload}".encode()).hexdigest()[:10]
    return f"ns{kind[:3]}-{digest}"


def document(
    *,
    width: float,
    height: float,
    prefix: str,
    title: str,
    desc: str,
    defs: Iterable[str],
    body: Iterable[str],
) -> str:
    """The root element: viewBox, role="img" and the accessible name and description."""
    attrs = {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {num(width)} {num(height)}",
        "width": num(width),
        "height": num(height),
        "role": "img",
        "aria-labelledby": f"{prefix}-title {prefix}-desc",
        "id": prefix,
        "font-family": FONT_FAMILY,
    }
    children = [
        el("title", {"id": f"{prefix}-title"}, title),
        el("desc", {"id": f"{prefix}-desc"}, desc),
        el("defs", None, defs),
        el("rect", {"width": num(width), "height": num(height), "fill": "#ffffff"}),
        *body,
    ]
    return el("svg", attrs, children) + "\n"


def halo_text(
    lines: list[str],
    *,
    x: float,
    y: float,
    size: float,
    line_height: float,
    anchor: str = "middle",
    weight: str | None = None,
    fill: str = "#1a1a1a",
    style: str | None = None,
) -> str:
    """Text with a white halo drawn as a separate copy underneath.

    ``paint-order`` would do the same in one element, but not every SVG renderer (PDF
    converters in particular) honours it; a second, aria-hidden copy works everywhere.
    """

    def text(extra: Attrs) -> str:
        spans = [
            el("tspan", {"x": num(x), "dy": "0" if i == 0 else num(line_height)}, line)
            for i, line in enumerate(lines)
        ]
        base = {
            "x": num(x),
            "y": num(y),
            "font-size": num(size),
            "text-anchor": anchor,
            "font-weight": weight,
            "font-style": style,
        }
        return el("text", {**base, **extra}, spans)

    halo = text(
        {
            "fill": "#ffffff",
            "stroke": "#ffffff",
            "stroke-width": "3.5",
            "stroke-linejoin": "round",
            "aria-hidden": "true",
            "class": "halo",
        }
    )
    return halo + text({"fill": fill, "class": "label"})
