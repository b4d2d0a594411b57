"""CSV cells no spreadsheet will run as a formula (CSV injection), and the way back.

OWASP ("CSV Injection") lists the characters that make Excel, LibreOffice or Google Sheets
read a cell as a formula: ``=``, ``+``, ``-``, ``@``, tab and carriage return. A text cell
starting with one of them gets a leading apostrophe, which spreadsheets show as text. A
cell that already starts with an apostrophe gets one more, so ``unescape_cell`` can undo
the escape exactly when neuroseq reads its own CSV back. Numbers are data, not formulas:
``-1.5`` is written as it is.

Every CSV the app or the CLI writes goes through ``safe_cell`` (or ``safe_row``).
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower().lstrip("+-") not in {"inf", "infinity", "nan"}


def safe_cell(value: object) -> str:
    """The text to write for one cell (``None`` is an empty cell)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(ESCAPE) or (text.startswith(FORMULA_START) and not _is_plain_number(text)):
        return ESCAPE + text
    return text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(value) for value in values]


def unescape_cell(text: str) -> str:
    """Undo ``safe_cell`` for a cell neuroseq wrote."""
    return text[1:] if text.startswith(ESCAPE) else text
