"""CSV cells that a spreadsheet will not run as formulas (CSV / formula injection).

OWASP "CSV Injection": a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be executed by Excel, LibreOffice or Google Sheets. Such text cells get a
leading apostrophe, which spreadsheets show as text. Numbers we write ourselves (e.g.
``-0.5``) are left alone: they are data, not text a person typed.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> str:
    """One cell as text: empty for None, ``true``/``false``, numbers as written, text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


class SafeWriter:
    """``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, file: IO[str]):
        self._writer = csv.writer(file, lineterminator="\r\n")

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(c) for c in cells])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
