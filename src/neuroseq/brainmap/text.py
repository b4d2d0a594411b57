"""Words on the maps: ages, dates and line wrapping, in plain language."""

from __future__ import annotations

import math
from datetime import date

from neuroseq.instrument import Instrument

# Average advance of a sans-serif glyph as a fraction of the font size; generous so a
# label wraps rather than overflows whichever generic font the reader's system picks.
CHAR_WIDTH_EM = 0.54


def format_age(months: float) -> str:
    """``18 months`` below two years, else ``10 years 2 months``."""
    whole = max(0, math.floor(months + 1e-9))
    if whole < 24:
        return f"{whole} month" + ("" if whole == 1 else "s")
    years, rest = divmod(whole, 12)
    text = f"{years} years"
    return text if rest == 0 else f"{text} {rest} month" + ("" if rest == 1 else "s")


def format_years(months: float) -> str:
    """Compact age for chart labels: ``2 y 3 m``."""
    whole = max(0, math.floor(months + 1e-9))
    years, rest = divmod(whole, 12)
    if years == 0:
        return f"{rest} m"
    return f"{years} y" if rest == 0 else f"{years} y {rest} m"


def format_date(day: date) -> str:
    """``16 March 2026``: no day/month order to misread."""
    return f"{day.day} {day:%B %Y}"


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH_EM


def wrap(text: str, width: float, size: float) -> list[str]:
    """Greedy word wrap to a pixel width; a single over-long word keeps its own line."""
    limit = max(1, int(width / (size * CHAR_WIDTH_EM)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def fit(
    text: str, width: float, sizes: tuple[float, ...], max_lines: int
) -> tuple[list[str], float]:
    """The largest font size at which ``text`` wraps into ``max_lines`` within ``width``."""
    for size in sizes:
        lines = wrap(text, width, size)
        if len(lines) <= max_lines and all(text_width(line, size) <= width for line in lines):
            return lines, size
    size = sizes[-1]
    return wrap(text, width, size), size


def typical_words(inst: Instrument, typical: float) -> str:
    """The typical status for age in words: "3 · mature", "2.4 · between developing and mature".

    A bare "3.0" reads like a score; the status word says what a typical child of this age
    shows. The typical value is an average over children, so it can fall between levels.
    """

    def word(level: int) -> str:
        return inst.status_level(level).label.split(",")[0]

    shown = round(typical, 1)
    if shown == int(shown):
        return f"{int(shown)} · {word(int(shown))}"
    low = int(shown)
    return f"{shown:.1f} · between {word(low)} and {word(low + 1)}"
